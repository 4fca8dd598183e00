// Mount propagation: cutting the container's mount table off from the host's.
//
// After clone(CLONE_NEWNS) the child has a copy of the host's mounts, but copies of shared
// mounts stay in the same peer group: a mount under a shared mount propagates to its peers
// (mount_namespaces(7), "Shared subtrees"). systemd makes / shared, so without this step the
// container's /proc would appear on the host. MS_REC | MS_PRIVATE on "/" makes every mount in
// this namespace private: nothing propagates in either direction.
//
// Interface: make_mounts_private
#include "boxlab/fs/propagation.hpp"

#include <sys/mount.h>

#include "boxlab/sys/syscall.hpp"

namespace boxlab::fs {

void make_mounts_private() {
  // LAB 03 BEGIN: make every mount private so nothing propagates back to the host
  sys::mount("", "/", "", MS_REC | MS_PRIVATE);
  // LAB 03 END
}

}  // namespace boxlab::fs
