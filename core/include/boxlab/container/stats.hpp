/**
 * @file stats.hpp
 * @brief `docker stats`: each running container's CPU, memory and PIDs, read from its cgroup.
 */
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace boxlab::container {

/// One line of `stats`.
struct ContainerStats {
  std::string id;            ///< full id
  double cpu_percent = 0;    ///< CPU time over wall time between two samples, x100 (200% = 2 CPUs)
  uint64_t memory_usage = 0; ///< bytes, inactive page cache excluded (as docker stats)
  uint64_t memory_limit = 0; ///< its limit, or the machine's RAM when it has none
  uint64_t pids = 0;         ///< processes and threads
};

/**
 * @brief Sample the running containers recorded under @p containers_dir twice, @p interval
 * apart, and compute their usage. @p ids, when not empty, selects containers by id prefix
 * (an unknown one throws "No such container").
 */
std::vector<ContainerStats> sample_stats(const std::string& containers_dir, const std::vector<std::string>& ids,
                                         std::chrono::milliseconds interval);

/// Render as docker stats does: CONTAINER ID, CPU %, MEM USAGE / LIMIT, MEM %, PIDS.
std::string format_stats(const std::vector<ContainerStats>& stats);

}  // namespace boxlab::container
