/**
 * @file volume_store.hpp
 * @brief Named volumes (`docker volume create/ls/inspect/rm/prune`): directories the runtime
 *        owns, outside every container, so that their data survives `rm`.
 *
 * Each volume is `<dir>/<name>/_data` (what a container gets bind-mounted) beside
 * `<dir>/<name>/volume.json` (Name, Driver, Mountpoint, CreatedAt, Labels, Scope), the layout
 * of Docker's "local" driver. A volume exists exactly when its volume.json does; it is written
 * atomically and last. Names follow Docker's `[a-zA-Z0-9][a-zA-Z0-9_.-]+`; an anonymous volume
 * gets 64 random hex digits and the label `com.docker.volume.anonymous`. Which containers use a
 * volume is known to the caller (the container store), so remove and prune are told.
 */
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace boxlab::container {

/// The label Docker (23+) puts on anonymous volumes; `volume prune` without --all removes only these.
inline constexpr const char* kAnonymousVolumeLabel = "com.docker.volume.anonymous";

/// One volume, as `docker volume inspect` shows it.
struct Volume {
  std::string name;                           ///< "data", or 64 hex digits when anonymous
  std::string driver = "local";               ///< always "local"
  std::string mountpoint;                     ///< the host directory holding its data (…/name/_data)
  std::string created_at;                     ///< RFC 3339, UTC
  std::map<std::string, std::string> labels;  ///< --label KEY=VALUE, and the anonymous label
  std::string scope = "local";                ///< always "local"

  /// True for a volume made without a name (`-v /data`, an image's VOLUME).
  bool anonymous() const { return labels.count(kAnonymousVolumeLabel) > 0; }
};

/// What `volume prune` removed.
struct PruneReport {
  std::vector<std::string> deleted;  ///< the names, in order
  uint64_t reclaimed = 0;            ///< bytes, as volume_size() counts them
};

/// Throw Docker's error for a name the local driver refuses ("create NAME: "NAME" includes
/// invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If
/// you intended to pass a host directory, use absolute path"; or "volume name is too short").
void check_volume_name(const std::string& name);

/// The bytes the files under @p path hold, as Docker's directory.Size counts them: apparent
/// sizes (st_size) of everything but directories, each inode once, symlinks not followed.
uint64_t volume_size(const std::string& path);

/// The volumes under one directory (the caller passes `<state root>/volumes`).
class VolumeStore {
 public:
  /// The store at @p dir (created when the first volume is).
  explicit VolumeStore(std::string dir) : dir_(std::move(dir)) {}

  /// Create volume @p name ("" for an anonymous one, named with 64 random hex digits) with
  /// @p labels. An existing volume of that name is returned as it is, as Docker's create does.
  Volume create(const std::string& name = {}, const std::map<std::string, std::string>& labels = {}) const;
  /// True if volume @p name exists.
  bool exists(const std::string& name) const;
  /// Volume @p name; throws "No such volume: NAME" (exit code 1).
  Volume find(const std::string& name) const;
  /// Every volume, sorted by name.
  std::vector<Volume> list() const;
  /// Remove volume @p name and its data. @p in_use_by lists the containers (ids) whose mounts
  /// name it; when any does, throws "remove NAME: volume is in use - [ID, …]" (exit code 1).
  /// A missing volume throws "get NAME: no such volume" (exit code 1).
  void remove(const std::string& name, const std::vector<std::string>& in_use_by = {}) const;
  /// Remove every volume not named in @p in_use: only anonymous ones unless @p all (Docker 23+'s
  /// `volume prune` and `volume prune --all`).
  PruneReport prune(const std::set<std::string>& in_use, bool all = false) const;
  /// The directory of the store.
  const std::string& dir() const { return dir_; }

 private:
  Volume read(const std::string& name) const;
  std::string dir_;
};

/// `docker volume inspect`: a JSON array of one object per volume, indented by 4 spaces.
std::string inspect_volumes_json(const std::vector<Volume>& volumes);

/// `docker volume ls`: the DRIVER and VOLUME NAME table, each line ending in a newline.
std::string format_volume_table(const std::vector<Volume>& volumes);

}  // namespace boxlab::container
