/**
 * @file mount.hpp
 * @brief Mount the cgroup file system inside a container, showing only its own cgroup.
 */
#pragma once

#include <string>

namespace boxlab::cgroup {

/**
 * @brief Mount the cgroup tree at @p target (normally /sys/fs/cgroup), read-only.
 *
 * Call it in the container, after it has entered its cgroup namespace and while /proc is
 * mounted: the mounts then show the container's cgroup as their root (cgroup_namespaces(7)),
 * so `cat /sys/fs/cgroup/memory.max` inside reads the container's own limit. On v2 that is one
 * cgroup2 mount; on v1, a tmpfs with one mount per hierarchy listed in /proc/self/cgroup, as
 * runc and Docker lay it out.
 */
void mount_cgroupfs(const std::string& target);

}  // namespace boxlab::cgroup
