/**
 * @file unpack.hpp
 * @brief Unpack a layer tarball (tar, optionally compressed) into a directory, confined by the
 *        kernel, and compute its diff_id while doing so.
 *
 * Every entry is created relative to one open directory with openat2(RESOLVE_IN_ROOT) (see
 * openat2(2)), so no name, symlink or hardlink in a hostile layer can reach outside it.
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "boxlab/image/digest.hpp"

namespace boxlab::image {

/// Limits and permissions for unpacking one layer.
struct UnpackOptions {
  /// Create character and block device nodes (refused by default: a layer has no business
  /// carrying /dev entries; lab 03 makes /dev itself).
  bool allow_devices = false;
  /// Let an entry's parent directory be a symlink made earlier by the same layer (still
  /// confined to the layer by RESOLVE_IN_ROOT). Off by default: no tar writer produces such a
  /// layer, only an attacker does.
  bool through_symlinks = false;
  /// Chown entries to the uid/gid in the tar (only when running as root).
  bool preserve_owners = true;
  /// The most uncompressed bytes read (a decompression bomb is refused beyond it).
  uint64_t max_bytes = uint64_t{8} << 30;
  /// The most entries in one layer.
  uint64_t max_entries = 1'000'000;
};

/// What unpacking a layer produced.
struct UnpackResult {
  Digest diff_id;             ///< sha256 of the uncompressed tar stream (config's rootfs.diff_ids)
  uint64_t tar_bytes = 0;     ///< size of the uncompressed tar stream
  uint64_t entries = 0;       ///< entries created
  std::filesystem::path dir;  ///< the layer's directory (unpack_layer only)
  bool reused = false;        ///< the layer was already unpacked; nothing was read
};

/// Unpack @p layer (a tar file, gzip/zstd/... autodetected) into the open directory
/// @p root_fd, which should be empty. Throws a boxlab::Error naming the entry and the rule it
/// breaks; what was created before the failure stays (unpack_layer removes it).
UnpackResult unpack_into(const std::filesystem::path& layer, int root_fd, const UnpackOptions& options = {});

/**
 * @brief Unpack @p layer into @p layers_dir/&lt;diff_id hex&gt;, all or nothing.
 *
 * Unpacks into a temporary directory beside it and renames it into place once the diff_id is
 * known (and equals @p expected_diff_id when given); a failure removes the temporary directory.
 * When @p expected_diff_id names a layer already unpacked, it is reused without reading.
 */
UnpackResult unpack_layer(const std::filesystem::path& layer, const std::filesystem::path& layers_dir,
                          const std::optional<Digest>& expected_diff_id = std::nullopt,
                          const UnpackOptions& options = {});

/// Remove an unpacked layer directory (or a temporary one). Directories are made writable
/// first, because a layer may carry a 0500 directory that even its owner could not empty
/// without root; symlinks are removed, never followed.
void remove_unpacked(const std::filesystem::path& dir);

}  // namespace boxlab::image
