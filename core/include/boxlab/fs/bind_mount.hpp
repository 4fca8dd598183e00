/**
 * @file bind_mount.hpp
 * @brief Bind mounts of host paths into a container: taken before pivot_root, attached after.
 */
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "boxlab/fs/mount.hpp"
#include "boxlab/sys/unique_fd.hpp"

namespace boxlab::fs {

/// True when @p mount binds a path (type "bind", or a "bind"/"rbind" option).
bool is_bind_mount(const Mount& mount);

/**
 * @brief A host file or directory cloned as a detached mount tree (open_tree(2)), not yet
 *        attached anywhere.
 *
 * After pivot_root the host's tree is gone, so a bind source must be taken while it is still
 * visible; the destination must be found after, so that symlinks in it resolve inside the
 * container's root and never on the host. The read-only, nosuid, nodev and noexec options are
 * set on the whole tree with mount_setattr(2) (recursively for rbind, as Docker 25 does).
 * Closing an unattached tree unmounts it: nothing is left behind on any error path.
 */
class DetachedTree {
 public:
  /// Clone @p mount's source; throws "bind source path does not exist: SRC" when it is missing.
  static DetachedTree take(const Mount& mount);

  /// Attach at @p mount's destination in the current root, creating a directory or an empty
  /// file there (matching the source) when it is missing.
  void attach(const Mount& mount) const;

 private:
  DetachedTree(sys::UniqueFd fd, bool is_directory) : fd_(std::move(fd)), is_directory_(is_directory) {}
  sys::UniqueFd fd_;
  bool is_directory_;
};

/// One DetachedTree per bind mount of @p mounts (std::nullopt for the others), same order.
std::vector<std::optional<DetachedTree>> take_bind_sources(const std::vector<Mount>& mounts);

}  // namespace boxlab::fs
