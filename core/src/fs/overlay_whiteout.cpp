// Whiteouts: how a layer says "this file is deleted", in the OCI's words and in overlay's.
//
// A layer is a set of changes to the layers below it. Added and changed files are just files;
// a deletion needs a marker. The OCI image spec (layer.md, "Whiteouts") writes it as a file
// named `.wh.NAME` beside where NAME was, and `.wh..wh..opq` in a directory to say "nothing of
// the lower layers' content of this directory shows" (an opaque directory: the directory was
// deleted and created again). Plain files, so they survive a tar archive.
//
// overlayfs has its own form (Documentation/filesystems/overlayfs.rst, "whiteouts and opaque
// directories"): a whiteout is a character device with device number 0:0 named NAME, and an
// opaque directory carries the xattr trusted.overlay.opaque=y. To mount OCI layers as lower
// dirs they must be in overlay's form, so each `.wh.` file is replaced: that needs CAP_MKNOD
// for the device and CAP_SYS_ADMIN for a trusted.* xattr, which is why the runtime is root.
// The upper dir that overlay writes uses the same form, which is how diff (container/diff.cpp)
// finds what a container deleted.
//
// The conversion works in place and is idempotent: a layer already converted has no `.wh.`
// files left. (containerd's overlay snapshotter and Docker's overlay2 driver convert at unpack
// time, which lab 06 will do.)
//
// Interface: parse_oci_whiteout, is_overlay_whiteout, is_opaque_dir, convert_whiteouts
#include <sys/sysmacros.h>

#include <filesystem>

#include "boxlab/fs/overlay.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::fs {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

namespace stdfs = std::filesystem;

// The entries of @p dir, read before any is changed (changing a directory while iterating it
// is unspecified).
std::vector<stdfs::path> entries_of(const stdfs::path& dir) {
  std::vector<stdfs::path> entries;
  for (const auto& entry : stdfs::directory_iterator(dir)) entries.push_back(entry.path());
  return entries;
}

int convert_dir(const stdfs::path& dir) {
  int converted = 0;
  for (const auto& path : entries_of(dir)) {
    std::string name = path.filename();
    struct stat st = sys::lstat(path);
    if (S_ISDIR(st.st_mode)) {
      converted += convert_dir(path);
      continue;
    }
    OciWhiteout whiteout = parse_oci_whiteout(name);
    if (whiteout.kind == OciWhiteout::Kind::none) continue;
    // LAB 05 BEGIN: turn an OCI whiteout into overlay's form: .wh..wh..opq -> xattr trusted.overlay.opaque=y on dir; .wh.NAME -> a 0:0 character device NAME (remove what stands there and the .wh. file)
    if (whiteout.kind == OciWhiteout::Kind::opaque) {
      sys::lsetxattr(dir, kOpaqueXattr, "y");
    } else {
      stdfs::path target = dir / whiteout.target;
      std::error_code ignored;
      stdfs::remove_all(target, ignored);  // a layer cannot both hold NAME and delete it
      sys::mknod(target, S_IFCHR | 0000, makedev(0, 0));
    }
    sys::unlink(path);
    // LAB 05 END
    ++converted;
  }
  return converted;
}

}  // namespace

OciWhiteout parse_oci_whiteout(std::string_view name) {
  if (name == kOpaqueMarker) return {OciWhiteout::Kind::opaque, ""};
  if (!name.starts_with(kWhiteoutPrefix)) return {};
  std::string_view target = name.substr(kWhiteoutPrefix.size());
  // ".wh." alone, ".wh..", ".wh..." or another ".wh..wh.*" name deletes nothing a layer can hold.
  if (target.empty() || target == "." || target == ".." || target.starts_with(kWhiteoutPrefix)) return {};
  return {OciWhiteout::Kind::file, std::string(target)};
}

bool is_overlay_whiteout(const struct stat& st) noexcept {
  return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

bool is_opaque_dir(const std::string& path) {
  auto value = sys::lgetxattr(path, kOpaqueXattr);
  return value && *value == "y";
}

int convert_whiteouts(const std::string& layer) {
  return with_context("convert the whiteouts of layer " + layer, [&] {
    if (!stdfs::is_directory(layer)) throw Error(layer + " is not a directory");
    return convert_dir(layer);
  });
}

}  // namespace boxlab::fs
