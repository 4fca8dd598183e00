/**
 * @file user.hpp
 * @brief User namespaces: who a process is inside, mapped to who it is outside.
 *
 * A new user namespace starts with no mapping; its processes appear as the overflow uid
 * (nobody) until the parent writes /proc/PID/uid_map and gid_map, once each
 * (user_namespaces(7), "User and group ID mappings").
 */
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace boxlab::ns {

/// One line of a uid_map or gid_map: @ref size ids from @ref container_id map to @ref host_id.
struct IdMapping {
  uint32_t container_id = 0;  ///< first id inside the namespace
  uint32_t host_id = 0;       ///< first id outside
  uint32_t size = 0;          ///< how many ids
};

/// The text the kernel wants in uid_map/gid_map: one "inside outside count" line per mapping.
std::string format_id_map(const std::vector<IdMapping>& mappings);

/// Write uid_map and gid_map of process @p pid (which must be in a new user namespace).
void write_id_maps(pid_t pid, const std::vector<IdMapping>& uid_mappings,
                   const std::vector<IdMapping>& gid_mappings);

}  // namespace boxlab::ns
