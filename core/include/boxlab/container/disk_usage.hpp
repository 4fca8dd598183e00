/**
 * @file disk_usage.hpp
 * @brief `system df`: how much disk images, containers, volumes and the build cache take.
 *
 * Docker's table: TYPE, TOTAL, ACTIVE (in use by a container), SIZE and RECLAIMABLE (what
 * `prune` would free). Sizes are measured on disk (allocated blocks, each inode counted once),
 * so hardlinks and sparse files count as the kernel counts them.
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "boxlab/container/state.hpp"

namespace boxlab::container {

/// One row of `system df`.
struct DiskUsageRow {
  std::string type;          ///< "Images", "Containers", "Local Volumes", "Build Cache"
  uint64_t total = 0;        ///< how many
  uint64_t active = 0;       ///< how many are in use
  uint64_t size = 0;         ///< bytes on disk
  uint64_t reclaimable = 0;  ///< bytes a prune would free
};

/// The bytes @p path takes on disk (st_blocks, each inode once, symlinks not followed).
uint64_t disk_usage(const std::filesystem::path& path);

/// Measure the state under @p root.
std::vector<DiskUsageRow> measure_disk_usage(const StateRoot& root);

/// The table of `system df`.
std::string format_disk_usage(const std::vector<DiskUsageRow>& rows);

}  // namespace boxlab::container
