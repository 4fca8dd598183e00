/**
 * @file mount.hpp
 * @brief One mount from an OCI spec (destination, type, source, options) applied with mount(2).
 */
#pragma once

#include <string>
#include <vector>

namespace boxlab::fs {

/// A mount as the OCI runtime spec describes it (config.md, "Mounts").
struct Mount {
  std::string destination;           ///< absolute path inside the container
  std::string type;                  ///< filesystem type: proc, tmpfs, sysfs, bind, ...
  std::string source;                ///< device or directory; "proc" etc. for virtual filesystems
  std::vector<std::string> options;  ///< fstab-style options: ro, nosuid, mode=755, rbind, ...
};

/// Mount options split into mount(2)'s flags and the filesystem-specific data string.
struct MountFlags {
  unsigned long flags = 0;       ///< MS_* flags
  unsigned long propagation = 0; ///< MS_PRIVATE, MS_SLAVE, ... applied with a second call
  std::string data;              ///< the rest, comma-joined (e.g. "mode=755,size=65536k")
};

/// Translate fstab-style options into MS_* flags and a data string.
MountFlags parse_mount_options(const std::vector<std::string>& options);

/**
 * @brief Apply @p mount relative to the current root, creating the destination if missing.
 *
 * A read-only bind mount needs two calls: MS_BIND ignores MS_RDONLY on the first one, so the
 * mount is remounted with MS_REMOUNT | MS_BIND | MS_RDONLY (mount(2), "Creating a bind mount").
 */
void apply_mount(const Mount& mount);

}  // namespace boxlab::fs
