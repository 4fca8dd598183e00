/**
 * @file layout.hpp
 * @brief Where the cgroup controllers live on this machine, and where the runtime itself is.
 *
 * cgroup v1 mounts one hierarchy per controller (or per group of controllers) under
 * /sys/fs/cgroup/&lt;name&gt;; v2 has one unified tree at /sys/fs/cgroup. "Hybrid" systems mount the
 * v1 hierarchies and a cgroup2 tree beside them (often without controllers); boxlab then uses
 * v1, where the controllers are (cgroups(7), "CGROUPS VERSION 1" and "CGROUPS VERSION 2").
 */
#pragma once

#include <map>
#include <string>
#include <vector>

namespace boxlab::cgroup {

/// Which cgroup interface the controllers are used through.
enum class Version { v1, v2 };

/// The controllers boxlab limits, by their v2 names (v1: cpu and cpuacct, blkio for io).
inline const std::vector<std::string> kControllers{"cpu", "cpuset", "io", "memory", "pids"};

/// Where everything is: detected from the kernel, or built by hand for tests (fake cgroupfs).
struct Layout {
  Version version = Version::v2;  ///< the interface the controllers are used through
  std::string description;  ///< "v2", "v1" or "hybrid", for messages and doctor
  /// v2: the mount point of the unified tree (normally /sys/fs/cgroup).
  std::string unified_mount;
  /// v1: controller name -> mount point of its hierarchy (e.g. "memory" -> /sys/fs/cgroup/memory).
  std::map<std::string, std::string> v1_mounts;
  /// The runtime's own cgroup: v2 the path from "0::PATH"; v1 controller -> path.
  std::string own_v2_path;
  std::map<std::string, std::string> own_v1_paths;  ///< v1 controller -> path in its hierarchy
};

/// Parse /proc/PID/cgroup text into controller -> path (v2's line "0::/p" becomes "" -> "/p").
std::map<std::string, std::string> parse_proc_cgroup(const std::string& text);

/// Parse /proc/self/mountinfo text into v1 controller -> mount point, and the cgroup2 mount.
void parse_cgroup_mounts(const std::string& mountinfo, Layout& layout);

/// Detect the layout of this machine and the calling process's own cgroups.
Layout detect_layout();

}  // namespace boxlab::cgroup
