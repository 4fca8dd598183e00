// overlayfs: one directory tree made of several, the way a container's root is made of its
// image's layers.
//
// An overlay mount stacks read-only "lower" directories under one writable "upper" directory
// and shows the union at its mount point ("merged"). A lookup goes top down: the upper dir
// first, then each lower dir in the order lowerdir= lists them; the first that has the name
// wins. Reading never copies. The first write to a file that lives in a lower dir copies it up
// into the upper dir (copy-on-write), and the write lands on the copy: the lower dir never
// changes, so any number of containers can share it. Deleting a lower file cannot remove it
// from the lower dir either: overlay records a "whiteout" in the upper dir instead (a 0:0
// character device of the same name, overlay_whiteout.cpp). The workdir, on the same
// filesystem as the upper dir, is where overlay prepares a copy-up before renaming it into
// place, so a crash never leaves a half-copied file visible.
//
// The order trap: an image lists its layers base first; lowerdir= lists them TOP first
// (Documentation/filesystems/overlayfs.rst, "Multiple lower layers": "lowerdir=/lower1:/lower2"
// puts lower1 on top of lower2). Every boxlab caller holds layers base first; lowerdir_option()
// reverses them, in one place.
//
// Mount options are one comma-separated string and lowerdir's paths are ':'-separated, so a
// path holding ':' or ',' must have them escaped with a backslash (the kernel unescapes them).
// The whole string must fit in a page (4096 bytes): enough for the tens of layers of a real
// image with paths under the state root, not for hundreds.
//
// Interface: escape_overlay_path, lowerdir_option, overlay_options, OverlayMount
#include "boxlab/fs/overlay.hpp"

#include <sys/mount.h>

#include <cstdio>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::fs {
namespace {

void require_dir(const std::string& what, const std::string& path) {
  if (path.empty()) throw Error("overlay: no " + what + " given");
  struct stat st = sys::stat(path);
  if (!S_ISDIR(st.st_mode)) throw Error("overlay: " + what + " " + path + " is not a directory");
}

}  // namespace

std::string escape_overlay_path(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == ':' || c == ',' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string lowerdir_option(const std::vector<std::string>& layers) {
  std::vector<std::string> escaped;  // the layers as given: BASE first
  for (const auto& layer : layers) escaped.push_back(escape_overlay_path(layer));
  std::string option;
  // LAB 05 BEGIN: join the escaped layers for lowerdir=, ':'-separated, TOP layer first: the reverse of their base-first order
  for (auto layer = escaped.rbegin(); layer != escaped.rend(); ++layer) option += (option.empty() ? "" : ":") + *layer;
  // LAB 05 END
  return option;
}

std::string overlay_options(const OverlayDirs& dirs) {
  return "lowerdir=" + lowerdir_option(dirs.layers) + ",upperdir=" + escape_overlay_path(dirs.upper) +
         ",workdir=" + escape_overlay_path(dirs.work);
}

OverlayMount OverlayMount::mount(const OverlayDirs& dirs, const std::string& target) {
  if (dirs.layers.empty()) throw Error("overlay: no layer given");
  for (const auto& layer : dirs.layers) require_dir("layer", layer);
  require_dir("upper dir", dirs.upper);
  require_dir("work dir", dirs.work);
  require_dir("mount point", target);
  std::string options = overlay_options(dirs);
  if (options.size() >= 4096)
    throw Error("overlay: the mount options are " + std::to_string(options.size()) +
                " bytes, more than mount(2) takes (4095): too many layers or paths too long");
  sys::mount("overlay", target, "overlay", 0, options);
  return OverlayMount(target);
}

void OverlayMount::unmount() {
  if (target_.empty()) return;
  // MNT_DETACH: a process of the host that still has a file open in it must not keep the
  // runtime from ending; the kernel frees the mount once the last user goes.
  sys::umount2(target_, MNT_DETACH);
  target_.clear();
}

OverlayMount::~OverlayMount() {
  try {
    unmount();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "warning: %s\n", e.what());
  }
}

}  // namespace boxlab::fs
