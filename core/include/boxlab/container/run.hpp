/**
 * @file run.hpp
 * @brief Run a container described by an OCI spec in the foreground, to its end.
 */
#pragma once

#include "boxlab/container/spec.hpp"
#include "boxlab/sys/process.hpp"

namespace boxlab::container {

/// How to attach a run to the caller: its stdio, and a hook to watch it start.
struct RunOptions {
  /// Called in the parent once the command has been exec'd, with its host PID.
  std::function<void(pid_t)> on_started;
  int stdin_fd = -1;   ///< the container's stdin (default: the caller's)
  int stdout_fd = -1;  ///< the container's stdout (default: the caller's)
  int stderr_fd = -1;  ///< the container's stderr (default: the caller's)
};

/**
 * @brief Create the namespaces of @p spec, set the container up, exec its command, forward
 * signals to it and wait for it.
 *
 * Validates the spec first (rootfs, hostname), so bad input changes nothing on the host.
 * Throws boxlab::Error on any failure before the command ran (exit_code() tells 125, 126, 127).
 */
sys::ExitStatus run(const Spec& spec, const RunOptions& options = {});

}  // namespace boxlab::container
