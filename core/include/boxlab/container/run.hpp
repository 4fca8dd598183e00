/**
 * @file run.hpp
 * @brief Run a container described by an OCI spec in the foreground, to its end.
 */
#pragma once

#include "boxlab/container/spec.hpp"
#include "boxlab/sys/process.hpp"

namespace boxlab::container {

/// Hooks a caller can use to watch a run (e.g. print the container's host PID).
struct RunHooks {
  /// Called in the parent once the command has been exec'd, with its host PID.
  std::function<void(pid_t)> on_started;
};

/**
 * @brief Create the namespaces of @p spec, set the container up, exec its command, forward
 * signals to it and wait for it.
 *
 * Validates the spec first (rootfs, hostname), so bad input changes nothing on the host.
 * Throws boxlab::Error on any failure before the command ran (exit_code() tells 125, 126, 127).
 */
sys::ExitStatus run(const Spec& spec, const RunHooks& hooks = {});

}  // namespace boxlab::container
