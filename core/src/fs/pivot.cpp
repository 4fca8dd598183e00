// pivot_root: giving the container its own root filesystem.
//
// chroot(2) changes one process's idea of "/" and nothing else: the host's root is still
// mounted, and a process with CAP_SYS_CHROOT climbs out by chroot'ing into a subdirectory and
// walking ".." past the old root (the classic breakout lesson 03 shows). pivot_root(2) instead
// swaps the root *mount* of the whole mount namespace; the old root can then be unmounted, so
// there is nothing above "/" left to reach.
//
// Steps: bind-mount the rootfs onto itself (pivot_root needs new_root to be a mount point),
// chdir into it, pivot_root(".", ".") and umount2(".", MNT_DETACH). Passing "." twice stacks
// the old root on top of the new one at "/", so it can be detached without a put_old directory
// inside the image; runc (libcontainer/rootfs_linux.go) and bubblewrap do the same
// (pivot_root(2), NOTES: "pivot_root(".", ".")").
//
// Interface: pivot_into, validate_rootfs
#include "boxlab/fs/pivot.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::fs {

void pivot_into(const std::string& rootfs) {
  // LAB 03 BEGIN: bind the rootfs onto itself, pivot_root(".", "."), detach the old root
  sys::mount(rootfs, rootfs, "", MS_BIND | MS_REC);
  sys::chdir(rootfs);
  sys::pivot_root(".", ".");
  sys::umount2(".", MNT_DETACH);
  sys::chdir("/");
  // LAB 03 END
}

void validate_rootfs(const std::string& rootfs) {
  // LAB 03 BEGIN: refuse a rootfs that does not exist or is not a directory, saying which
  if (rootfs.empty()) throw Error("--rootfs is empty");
  struct stat st = with_context("rootfs " + rootfs + " cannot be used", [&] { return sys::stat(rootfs); });
  if (!S_ISDIR(st.st_mode)) throw Error("rootfs " + rootfs + " is not a directory");
  // LAB 03 END
}

}  // namespace boxlab::fs
