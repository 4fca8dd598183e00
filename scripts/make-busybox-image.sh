#!/usr/bin/env bash
# make-busybox-image.sh OUT_DIR
#
# Makes the course's offline busybox image from Debian's busybox-static, with no download:
#   OUT_DIR/rootfs/   a root filesystem: /bin/busybox, one symlink per applet, /etc/passwd ...
#   OUT_DIR/oci/      the same as an OCI image layout (oci-layout, index.json, blobs/sha256/...)
#                     with one gzip layer, tagged "latest"; skopeo and umoci read it, and
#                     lab 06 imports it as busybox:latest.
# The layer is reproducible: sorted entries, fixed mtimes and owners, gzip -n. So the same
# busybox-static package gives the same digests on every machine.
set -euo pipefail
out=${1:?usage: make-busybox-image.sh OUT_DIR}
busybox=${BUSYBOX:-/bin/busybox}
if [[ ! -x $busybox ]] || ! file_out=$(LC_ALL=C od -An -c -N4 "$busybox" 2>/dev/null) || [[ $file_out != *E*L*F* ]]; then
  echo "make-busybox-image: $busybox not found; install it: sudo apt-get install busybox-static" >&2
  exit 1
fi
if ldd "$busybox" >/dev/null 2>&1; then
  echo "make-busybox-image: $busybox is dynamically linked; install busybox-static" >&2
  exit 1
fi
epoch=946684800   # 2000-01-01: a fixed timestamp keeps the layer digest reproducible
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "${out%/}.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/rootfs
mkdir -p "$root"/{bin,dev,etc,home,proc,root,sys,tmp,usr/bin,usr/sbin,sbin,var/tmp}
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 700 "$root/root"
cp "$busybox" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
for applet in $("$busybox" --list-full); do
  [[ $applet == bin/busybox ]] && continue
  [[ -e $root/$applet || -L $root/$applet ]] && continue
  mkdir -p "$root/$(dirname "$applet")"
  ln -s /bin/busybox "$root/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\ntty:x:5:\nnobody:x:65534:\n' > "$root/etc/group"
printf 'boxlab\n' > "$root/etc/hostname"
find "$root" -exec touch -h -d "@$epoch" {} +

oci=$tmp/oci
mkdir -p "$oci/blobs/sha256"
sha() { sha256sum "$1" | cut -d' ' -f1; }
put_blob() { local d; d=$(sha "$1"); mv "$1" "$oci/blobs/sha256/$d"; echo "$d"; }
size() { stat -c %s "$1"; }

tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -C "$root" -cf "$tmp/layer.tar" .
diff_id=$(sha "$tmp/layer.tar")
gzip -n -9 -c "$tmp/layer.tar" > "$tmp/layer.tar.gz"
layer_size=$(size "$tmp/layer.tar.gz")
layer_digest=$(put_blob "$tmp/layer.tar.gz")
rm "$tmp/layer.tar"

created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
# Read all of its output (no `| head`): with pipefail, a SIGPIPE in busybox would fail the build.
version=$("$busybox" 2>/dev/null | awk 'NR == 1 {print $2}')
cat > "$tmp/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"$created","author":"boxlab make-busybox-image.sh",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],
           "Labels":{"org.opencontainers.image.source":"Debian busybox-static","org.opencontainers.image.version":"$version"}},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"$created","created_by":"make-busybox-image.sh: busybox-static $version"}]}
JSON
config_size=$(size "$tmp/config.json")
config_digest=$(put_blob "$tmp/config.json")
cat > "$tmp/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
 "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config_digest","size":$config_size},
 "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:$layer_digest","size":$layer_size}]}
JSON
manifest_size=$(size "$tmp/manifest.json")
manifest_digest=$(put_blob "$tmp/manifest.json")
printf '{"imageLayoutVersion":"1.0.0"}' > "$oci/oci-layout"
cat > "$oci/index.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
 "manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest_digest","size":$manifest_size,
   "platform":{"architecture":"amd64","os":"linux"},
   "annotations":{"org.opencontainers.image.ref.name":"latest","io.containerd.image.name":"docker.io/library/busybox:latest"}}]}
JSON

rm -rf "$out"
chmod 755 "$tmp"  # mktemp -d makes it 0700: user-namespace containers and non-root doctor must read it
mv "$tmp" "$out"
trap - EXIT
echo "busybox $version: rootfs $out/rootfs, OCI image $out/oci (manifest sha256:${manifest_digest:0:12}, layer sha256:${layer_digest:0:12})"
