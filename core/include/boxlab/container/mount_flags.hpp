/**
 * @file mount_flags.hpp
 * @brief `docker run -v` / `--volume` and `--mount`: what each asks for, checked as Docker
 *        checks it, then resolved into the OCI spec's mounts with the volumes they use.
 *
 * Three kinds, as Docker's: a bind mount shows a host path (`-v /srv:/www:ro`,
 * `--mount type=bind,src=/srv,dst=/www`); a volume mounts a named or anonymous volume's data
 * (`-v data:/data`, `-v /data`, `--mount src=data,dst=/data`); a tmpfs is memory
 * (`--mount type=tmpfs,dst=/tmp,tmpfs-size=64m`). Every error is one line in Docker's words,
 * e.g. "invalid volume specification: '/x:y': invalid mount config for type "bind": invalid
 * mount path: 'y' mount path must be absolute".
 */
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "boxlab/container/volume_store.hpp"
#include "boxlab/fs/mount.hpp"

namespace boxlab::container {

/// One mount a container asks for, checked but not yet tied to a host path.
struct MountRequest {
  std::string type = "volume";                ///< "bind", "volume" or "tmpfs"
  std::string source;                         ///< bind: absolute host path; volume: name ("": anonymous); tmpfs: ""
  std::string target;                         ///< absolute, cleaned path in the container
  bool read_only = false;                     ///< ro / readonly
  std::string mode;                           ///< what inspect's Mode shows: -v's options as given ("ro,z"), "z" for a volume without any
  std::string propagation;                    ///< a bind's propagation ("": rprivate)
  bool non_recursive = false;                 ///< bind-nonrecursive: submounts of the source are not bound
  bool no_copy = false;                       ///< nocopy / volume-nocopy: the image's files are not copied into a new volume
  bool create_host_dir = false;               ///< -v makes a missing bind source directory; --mount refuses it
  bool config_volume = false;                 ///< from the config's Volumes (an image's VOLUME or `-v /path`): skipped where another mount is
  std::map<std::string, std::string> labels;  ///< volume-label KEY=VALUE, for a volume it creates
  uint64_t tmpfs_size = 0;                    ///< tmpfs-size in bytes (0: the kernel's default, half of RAM)
  uint32_t tmpfs_mode = 0;                    ///< tmpfs-mode (0: the kernel's default, 1777)
};

/// One entry of `docker inspect`'s Mounts.
struct MountPoint {
  std::string type;         ///< "bind", "volume" or "tmpfs"
  std::string name;         ///< the volume's name ("" unless a volume)
  std::string source;       ///< the host path: the bind's source or the volume's data ("" for tmpfs)
  std::string destination;  ///< the path in the container
  std::string driver;       ///< "local" for a volume, "" otherwise
  std::string mode;         ///< MountRequest::mode
  bool rw = true;           ///< writable
  std::string propagation;  ///< "rprivate" etc. for a bind, "" otherwise
};

/// A request resolved: the spec's mount, what inspect shows, and whether to copy up.
struct ResolvedMount {
  fs::Mount mount;       ///< for Spec::mounts
  MountPoint point;      ///< for the container's record and `inspect`
  bool copy_up = false;  ///< a volume without nocopy: call populate_from_image() on it before start
};

/// Parse `-v SRC:DST[:OPTS]`, `-v NAME:DST[:OPTS]` or `-v DST` (OPTS: ro, rw, z, Z, nocopy, a
/// propagation, comma-separated). A source starting with "." is made absolute, as the docker
/// CLI does. Throws Docker's one-line error (exit code 125).
MountRequest parse_volume_flag(const std::string& text);

/// Parse `--mount type=bind|volume|tmpfs,src=…,dst=…,readonly,…` (Docker's keys: source/src,
/// target/dst/destination, readonly/ro[=BOOL], bind-propagation, bind-nonrecursive,
/// volume-nocopy, volume-label, volume-driver=local, tmpfs-size, tmpfs-mode, consistency).
/// Throws "invalid argument "TEXT" for "--mount" flag: …" or Docker's daemon error.
MountRequest parse_mount_flag(const std::string& text);

/// Add an anonymous volume for each of an image's VOLUME paths (@p image_volumes, its config's
/// Volumes keys) that no request in @p requests already mounts.
void add_image_volumes(std::vector<MountRequest>& requests, const std::vector<std::string>& image_volumes);

/**
 * @brief Resolve @p requests: create the volumes they name (anonymous ones get a random name),
 *        create a missing bind source for -v, and return the mounts in the order to apply them
 *        (shallow destinations first, as Docker sorts them).
 *
 * Throws "Duplicate mount point: DST" when two mounts share a destination (a config volume
 * there is dropped instead), and "invalid mount config for type "bind": bind source path does
 * not exist: SRC" for --mount.
 */
std::vector<ResolvedMount> resolve_mounts(const std::vector<MountRequest>& requests, const VolumeStore& volumes);

/// Resolve one request (see resolve_mounts, without the duplicate check and ordering).
ResolvedMount resolve_mount(const MountRequest& request, const VolumeStore& volumes);

/// `docker inspect`'s Mounts array for @p points (Name and Driver left out when empty, as Docker).
std::string mount_points_json(const std::vector<MountPoint>& points);

/// Read back what mount_points_json() wrote; throws a boxlab::Error on malformed text.
std::vector<MountPoint> mount_points_from_json(const std::string& text);

}  // namespace boxlab::container
