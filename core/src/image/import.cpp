// import: a root filesystem tarball becomes an image of one layer.
//
// This is how images began before Dockerfiles: tar up a root filesystem, `docker import` it.
// The tarball is stored as the layer blob unchanged (its compression decides its media type),
// unpacked like any pulled layer (confined by openat2, which also yields the diff_id: the digest
// of the uncompressed tar), and described by a config and a manifest written here. Nothing is
// named until all of that is stored.
//
// Interface: import_rootfs
#include "boxlab/image/import.hpp"

#include <fcntl.h>

#include <nlohmann/json.hpp>

#include "boxlab/image/platform.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::image {

namespace {

using nlohmann::json;

// The layer's media type from its first bytes (image-spec media-types.md: tar, tar+gzip,
// tar+zstd are the layer types every runtime reads).
std::string tarball_media_type(const std::filesystem::path& tarball) {
  sys::UniqueFd fd = sys::open(tarball, O_RDONLY | O_CLOEXEC);
  unsigned char magic[6] = {};
  size_t n = sys::read(fd.get(), magic, sizeof magic);
  if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return std::string(media_type::kOciLayerGzip);
  if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
    return std::string(media_type::kOciLayerZstd);
  if (n >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h')
    throw Error("bzip2 is not a layer compression; use gzip, zstd or a plain tar");
  if (n >= 6 && magic[0] == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X' && magic[4] == 'Z')
    throw Error("xz is not a layer compression; use gzip, zstd or a plain tar");
  return std::string(media_type::kOciLayer);
}

json descriptor_json(const Descriptor& d) { return {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}}; }

}  // namespace

Image import_rootfs(const Store& store, const LayerStore& layers, const std::filesystem::path& tarball,
                    const Reference& as, const std::string& message) {
  return with_context("import " + tarball.string(), [&] {
    // Stored first and typed after: the tarball may be a pipe (stdin), readable only once.
    Descriptor layer = store.put_blob_file(tarball, "application/octet-stream");
    layer.media_type = tarball_media_type(store.blob_path(layer.digest));
    UnpackResult unpacked = layers.unpack(store, layer, std::nullopt);
    std::string created = now_rfc3339();
    Platform platform = default_platform();
    json config{{"architecture", platform.architecture},
                {"os", platform.os},
                {"created", created},
                {"config", json::object()},
                {"rootfs", {{"type", "layers"}, {"diff_ids", {unpacked.diff_id.str()}}}},
                {"history", {{{"created", created}, {"comment", message.empty() ? "Imported from " + tarball.string() : message}}}}};
    Descriptor config_blob = store.put_config(config.dump());
    json manifest{{"schemaVersion", 2},
                  {"mediaType", media_type::kOciManifest},
                  {"config", descriptor_json(config_blob)},
                  {"layers", {descriptor_json(layer)}}};
    Descriptor stored = store.put_manifest(manifest.dump());
    store.tag(as, stored);
    Image image = load_image(store, stored);
    image.names.push_back(as.str());
    return image;
  });
}

}  // namespace boxlab::image
