/**
 * @file masked_paths.hpp
 * @brief Hiding and write-protecting parts of /proc and /sys, as Docker does by default.
 *
 * /proc and /sys expose the host's kernel: /proc/kcore is its memory, /proc/sysrq-trigger
 * reboots it. Docker masks such paths (a bind of /dev/null over a file, an empty read-only
 * tmpfs over a directory) and makes others read-only (moby's oci/defaults.go).
 */
#pragma once

#include <string>
#include <vector>

namespace boxlab::fs {

/// Docker's default masked paths.
const std::vector<std::string>& docker_masked_paths();
/// Docker's default read-only paths.
const std::vector<std::string>& docker_readonly_paths();

/// Hide @p path: /dev/null over a file, a read-only empty tmpfs over a directory. Absent paths
/// are skipped.
void mask_path(const std::string& path);

/// Make @p path read-only with a bind mount onto itself, remounted MS_RDONLY. Absent paths
/// are skipped.
void make_readonly(const std::string& path);

}  // namespace boxlab::fs
