/**
 * @file container_store.hpp
 * @brief The containers `create` made and `rm` has not removed yet: what each was created with
 *        (config.json), where it is in its life (state.json), and its log, under
 *        `<state root>/containers/<id>/` of the persistent data directory.
 *
 * Ids are 64 hex digits, shown as 12, and found by any unique prefix; names are unique and
 * found exactly. Every file is replaced atomically (temporary file, fsync, rename), with the
 * process start time beside each PID to detect PID reuse. A record whose files are corrupt
 * affects only itself: listing shows it as "dead" with the reason, the others are untouched.
 */
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "boxlab/container/mount_flags.hpp"
#include "boxlab/container/networking.hpp"
#include "boxlab/container/spec.hpp"

namespace boxlab::container {

/// --restart: no, always, unless-stopped, on-failure[:N].
struct RestartPolicy {
  std::string name = "no";  ///< "no", "always", "unless-stopped", "on-failure"
  int max_retries = 0;      ///< on-failure's N (0: no limit)

  /// Parse Docker's spelling; throws "invalid restart policy" for anything else.
  static RestartPolicy parse(const std::string& text);
  /// "on-failure:3", "always", ...
  std::string str() const;
  /// Should a container that exited with @p exit_code after @p restarts restarts start again
  /// (@p stopped_by_user: docker stop/kill was used)?
  bool should_restart(int exit_code, int restarts, bool stopped_by_user) const;
};

/// What a container was created with (config.json).
struct ContainerConfig {
  std::string id;                   ///< 64 hex digits
  std::string name;                 ///< unique ("/" not included)
  std::string image;                ///< the image as asked for ("busybox")
  std::string image_id;             ///< its id ("sha256:…")
  std::string created;              ///< RFC 3339
  Spec spec;                        ///< the OCI spec to run (root.path filled in at start)
  std::vector<std::string> layers;  ///< the image's unpacked layer directories, base first
  RestartPolicy restart;            ///< --restart
  bool auto_remove = false;         ///< --rm
  bool interactive = false;         ///< -i
  NetworkRequest network;           ///< --network, -p, -P, --network-alias
  std::vector<MountPoint> mounts;   ///< -v, --mount and the image's VOLUMEs, as inspect shows them
  std::vector<std::string> copy_up; ///< destinations whose new volume gets the image's files at the first start
};

/// Where a container is in its life (state.json).
struct ContainerState {
  std::string status = "created";  ///< created, running, restarting, exited, dead
  pid_t pid = 0;                   ///< its first process on the host, while running
  uint64_t pid_start_time = 0;     ///< that process's start time (proc(5) stat field 22)
  pid_t monitor_pid = 0;           ///< the process that watches it
  uint64_t monitor_start_time = 0; ///< that process's start time
  int exit_code = 0;               ///< the last exit code
  bool oom_killed = false;         ///< the OOM killer ended it
  bool stopped_by_user = false;    ///< stop or kill ended it (restart policies ignore it)
  int restart_count = 0;           ///< restarts by the policy
  std::string started_at;          ///< RFC 3339 with nanoseconds, "" if never started
  std::string finished_at;         ///< RFC 3339 with nanoseconds, "" if never finished
  std::string error;               ///< why it is dead, or why it failed to start
  Endpoint endpoint;               ///< its address and ports while it runs
};

/// A container of the store.
struct Container {
  ContainerConfig config;  ///< how it was created
  ContainerState state;    ///< where it is now
  std::string dir;         ///< its directory

  /// True if the recorded process still runs (same PID and start time).
  bool process_alive() const;
  /// True if the recorded monitor still runs.
  bool monitor_alive() const;
};

/// The containers under one directory.
class ContainerStore {
 public:
  /// The store at @p dir (created when the first container is).
  explicit ContainerStore(std::string dir) : dir_(std::move(dir)) {}

  /// Record a new container; throws "Conflict. The container name "/web" is already in use by
  /// container <id>" for a taken name. A name is checked against Docker's [a-zA-Z0-9][a-zA-Z0-9_.-]+.
  Container create(const ContainerConfig& config) const;
  /// Every container, newest first; a corrupt record appears as "dead" with its reason.
  std::vector<Container> list() const;
  /// The container with name @p ref, id @p ref, or id prefix @p ref; throws "No such container:
  /// REF" (exit code 1), or names the candidates of an ambiguous prefix.
  Container find(const std::string& ref) const;
  /// Replace the state of container @p id.
  void save_state(const std::string& id, const ContainerState& state) const;
  /// Give container @p id the name @p name (unique).
  void rename(const std::string& id, const std::string& name) const;
  /// Write @p c's config back (network connect/disconnect of a stopped container).
  void save_config(const Container& c) const;
  /// Remove the record of container @p id and its log.
  void remove(const std::string& id) const;
  /// Where container @p id's json-file log is.
  std::string log_path(const std::string& id) const;
  /// The directory of the store.
  const std::string& dir() const { return dir_; }

 private:
  Container read(const std::string& id) const;
  std::string dir_;
};

/// A Docker-like random name for a container without --name ("boxlab_quirky_turing").
std::string random_container_name();

}  // namespace boxlab::container
