/**
 * @file state.hpp
 * @brief Where containers are recorded on the host, and the record of one container.
 *
 * Every container the runtime starts has a directory `<state root>/containers/<id>` with a
 * state.json (written atomically) and a lock file that its runtime holds while it lives. A
 * record whose lock is free belongs to a runtime that is gone: collect_garbage() (gc.hpp)
 * removes what it left. The process start time beside the PID detects PID reuse, as crun does.
 */
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "boxlab/sys/unique_fd.hpp"

namespace boxlab::container {

/// The state directories: `--root DIR` or $BOXLAB_ROOT puts everything under DIR.
struct StateRoot {
  std::string data = "/var/lib/boxlab";  ///< persistent state (images, volumes)
  std::string run = "/run/boxlab";       ///< runtime state (containers), gone at reboot

  /// From a --root flag (when not empty), else $BOXLAB_ROOT, else the defaults.
  static StateRoot resolve(const std::string& root_flag = {});
  /// The directory of container records.
  std::string containers() const { return run + "/containers"; }
  /// The writable layers of lab 05's `run --layer` and their overlay mount points (fs/overlay.hpp).
  std::string overlays() const { return run + "/overlay"; }
  /// The writable layers of the containers `create` makes (lab 07 on): kept until `rm`.
  std::string container_layers() const { return data + "/overlay"; }
  /// The image store, an OCI image layout (image/store.hpp).
  std::string images() const { return data + "/images"; }
  /// The unpacked layers, one directory per diff_id (image/layers.hpp).
  std::string layers() const { return data + "/layers"; }
  /// The named and anonymous volumes (container/volume_store.hpp).
  std::string volumes() const { return data + "/volumes"; }
  /// The networks and their IPAM (net/network_store.hpp).
  std::string networks() const { return data + "/networks"; }
  /// The default network's bridge: boxlab0 for the machine's state root, a name derived
  /// from the directory for any other, so that two state roots never share one.
  std::string default_bridge() const;
};

/// A new container id: 64 hex digits from getrandom(2), as Docker's.
std::string new_container_id();
/// The first 12 characters of an id, as `docker ps` shows it.
std::string short_id(const std::string& id);

/// What a container's state.json holds.
struct State {
  std::string id;                        ///< 64 hex digits
  std::string status = "created";        ///< created, running
  pid_t pid = 0;                         ///< the container's first process, on the host
  uint64_t pid_start_time = 0;           ///< its start time (proc(5) stat field 22)
  std::string created;                   ///< RFC 3339 UTC
  std::vector<std::string> command;      ///< what it runs
  std::vector<std::string> cgroup_dirs;  ///< its cgroup directories (empty: none)
  pid_t runtime_pid = 0;                 ///< the runtime that looks after it
  uint64_t runtime_start_time = 0;       ///< that runtime's start time (proc(5) stat field 22)

  /// True if the recorded process still runs (same PID and same start time).
  bool process_alive() const;
  /// True if the recorded runtime is known to be gone (recorded, and no longer running).
  bool runtime_gone() const;
};

/// Serialise a state as state.json text.
std::string to_json(const State& state);
/// Parse state.json text; throws a boxlab::Error naming @p where on corrupt input.
State state_from_json(const std::string& text, const std::string& where);

/**
 * @brief The record of a container this runtime is running: its directory, state.json and
 * the lock held while the runtime lives. Destroying it removes the directory.
 */
class StateRecord {
 public:
  /// Create `<containers_dir>/<state.id>` locked, and write @p state into it.
  static StateRecord create(const std::string& containers_dir, const State& state);
  /// Take over @p other's record; @p other then owns nothing.
  StateRecord(StateRecord&& other) noexcept
      : dir_(std::exchange(other.dir_, {})), lock_(std::move(other.lock_)) {}
  StateRecord& operator=(StateRecord&&) = delete;
  ~StateRecord();

  /// Replace state.json atomically (write a temporary file, fsync, rename(2)).
  void update(const State& state);
  /// The directory of the record.
  const std::string& directory() const { return dir_; }
  /// The descriptor holding the lock (a container's process closes it: spawn's close_in_child).
  int lock_fd() const { return lock_.get(); }

 private:
  StateRecord(std::string dir, sys::UniqueFd lock) : dir_(std::move(dir)), lock_(std::move(lock)) {}
  std::string dir_;
  sys::UniqueFd lock_;
};

/// Every readable record under @p containers_dir; a corrupt one is reported on stderr and skipped.
std::vector<State> list_states(const std::string& containers_dir);

/// The id of the one record whose id starts with @p prefix; throws if none or several.
std::string resolve_id(const std::string& containers_dir, const std::string& prefix);

/// Remove a record's directory and what is in it.
void remove_record(const std::string& dir);

/// Take the lock of the containers directory (held while creating records or collecting
/// garbage, so a sweep never sees a record before its runtime holds its lock).
sys::UniqueFd lock_containers_dir(const std::string& containers_dir);

}  // namespace boxlab::container
