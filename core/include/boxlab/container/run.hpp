/**
 * @file run.hpp
 * @brief Run a container described by an OCI spec in the foreground, to its end.
 */
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "boxlab/container/spec.hpp"
#include "boxlab/sys/process.hpp"
#include "boxlab/sys/relay.hpp"

namespace boxlab::container {

/// How to attach a run to the caller: its stdio, a hook to watch it start, where to record it.
struct RunOptions {
  /// Called in the parent once the command has been exec'd, with its host PID.
  std::function<void(pid_t)> on_started;
  /// Called in the parent between clone and exec, once the child is in its cgroup: set up
  /// what needs its namespaces to exist (its network). Throwing ends the run.
  std::function<void(pid_t)> before_start;
  int stdin_fd = -1;   ///< the container's stdin (default: the caller's)
  int stdout_fd = -1;  ///< the container's stdout (default: the caller's)
  int stderr_fd = -1;  ///< the container's stderr (default: the caller's)
  /// With a terminal (spec.process.terminal): the pty master to relay, and what to relay it
  /// with; the std*_fd above are then the pty's slave.
  std::optional<sys::TerminalRelay> terminal;
  /// Record the container under this directory while it runs (state.hpp); empty: no record.
  std::string containers_dir;
  /// The container's id; empty: a new one (new_container_id()).
  std::string id;
};

/// How a container ended.
struct RunResult {
  sys::ExitStatus status;   ///< its first process's exit
  bool oom_killed = false;  ///< the OOM killer killed a process of it (memory limit reached)
  std::string id;           ///< the container's id

  /// Docker's exit code: the command's, or 128+N when killed by signal N.
  int docker_code() const noexcept { return status.docker_code(); }
};

/**
 * @brief Create the namespaces (and the cgroup) of @p spec, set the container up, exec its
 * command, forward signals to it, wait for it, and remove what was created for it.
 *
 * Validates the spec first (rootfs, hostname, limits), so bad input changes nothing on the
 * host. When the spec names a cgroup (linux.cgroupsPath), the process joins it before exec, so
 * it never runs unlimited. Throws boxlab::Error on any failure before the command ran
 * (exit_code() tells 125, 126, 127).
 */
RunResult run(const Spec& spec, const RunOptions& options = {});

}  // namespace boxlab::container
