/**
 * @file monitor.hpp
 * @brief The process that looks after one container from start to end, like podman's conmon:
 *        it mounts the container's root filesystem, starts its spec, writes its output to the
 *        json-file log, reaps it, records how it ended, and starts it again when its restart
 *        policy says so.
 *
 * `run -d` starts a monitor in the background (start_monitor) and returns as soon as the
 * container runs; a foreground `run` is its own monitor (monitor_container) and also copies the
 * output to the terminal. Either way the container's state.json says where it is, and its log
 * outlives it, so `ps -a` and `logs` work after the end.
 */
#pragma once

#include <sys/types.h>

#include <string>

#include "boxlab/container/container_store.hpp"
#include "boxlab/container/networking.hpp"

namespace boxlab::container {

/// Where a monitor keeps what is not in the container store.
struct MonitorPaths {
  std::string records;   ///< &lt;run&gt;/containers: the runtime records collect_garbage sweeps
  std::string overlays;  ///< the containers' writable layers (fs/overlay.hpp)
  NetworkPaths network;  ///< networks, and the containers whose hosts files name each other
  std::string volumes;   ///< the volume store (--rm removes the container's anonymous volumes)
};

/// Where a foreground run also copies the output (-1: nowhere), and its input.
struct MonitorIo {
  int stdin_fd = -1;   ///< the container's stdin (-1: /dev/null)
  int stdout_fd = -1;  ///< also copy stdout here
  int stderr_fd = -1;  ///< also copy stderr here
  int ready_fd = -1;   ///< write "\n" here once the container runs, or the error that stopped it
  /// With a terminal (spec.process.terminal): a terminal whose size the container's pty follows
  /// (-1: none). The pty's output is logged and copied to stdout_fd; stdin_fd feeds its input.
  int size_source = -1;
};

/// The file whose presence tells a container's monitor that stop or kill ended it, so its
/// restart policy must not start it again.
std::string stop_request_path(const Container& container);

/**
 * @brief Be the monitor of container @p id: run it, and run it again as its restart policy
 *        says (back-off 100 ms doubling to 1 min, as Docker), until it ends for good.
 *
 * Returns the last exit code (Docker's: 128+N for a signal). Throws only when the container
 * could not be started the first time; the state then records the error. A container created
 * with --rm is removed (record, log, writable layer) when it ends for good.
 */
int monitor_container(const ContainerStore& store, const std::string& id, const MonitorPaths& paths,
                      const MonitorIo& io = {});

/**
 * @brief Start a monitor for container @p id in the background (a new session, detached from
 *        the terminal: fork, setsid, fork) and return once the container runs.
 *
 * Throws with the monitor's own message when the container failed to start. Call it with no
 * other thread running (fork(2) copies only the calling thread).
 */
void start_monitor(const ContainerStore& store, const std::string& id, const MonitorPaths& paths);

}  // namespace boxlab::container
