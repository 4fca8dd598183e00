/**
 * @file pivot.hpp
 * @brief Switching the root filesystem with pivot_root(2), and why chroot(2) is not enough.
 *
 * chroot only changes how "/" is resolved for one process; the old root stays mounted and a
 * root process escapes with a second chroot and "cd ..". pivot_root moves the whole root mount
 * of the mount namespace, after which the old root can be unmounted: nothing is left to escape to.
 */
#pragma once

#include <string>

namespace boxlab::fs {

/**
 * @brief Make @p rootfs the root of the calling process's mount namespace and detach the old one.
 *
 * Needs a private mount namespace (make_mounts_private). Leaves the working directory at "/".
 */
void pivot_into(const std::string& rootfs);

/**
 * @brief Check that @p rootfs can be a root filesystem: it exists and is a directory.
 *
 * Throws boxlab::Error with a one-line explanation otherwise. Runs in the parent, before
 * anything is created, so bad input changes nothing on the host.
 */
void validate_rootfs(const std::string& rootfs);

}  // namespace boxlab::fs
