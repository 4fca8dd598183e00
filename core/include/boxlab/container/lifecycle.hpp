/**
 * @file lifecycle.hpp
 * @brief A container's life as `docker` commands see it: create, start, stop, kill, remove.
 *
 * `run` is create + start. create turns an image and the run flags into one OCI spec (the
 * image's layers under a writable layer, Docker's default mounts, masked paths, capabilities and
 * cgroup) and records it; start hands it to a monitor (monitor.hpp); stop asks with SIGTERM (or
 * the image's StopSignal) and insists with SIGKILL after a timeout; rm removes what is left.
 */
#pragma once

#include <string>
#include <vector>

#include "boxlab/cgroup/limits.hpp"
#include "boxlab/container/container_store.hpp"
#include "boxlab/container/image_config.hpp"
#include "boxlab/container/monitor.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/image/image.hpp"

namespace boxlab::container {

/// The containers of a state root: the store, and where monitors keep their runtime records and
/// the writable layers.
struct Containers {
  ContainerStore store;  ///< &lt;data&gt;/containers
  MonitorPaths paths;    ///< &lt;run&gt;/containers and &lt;data&gt;/overlay

  /// The containers of @p root.
  static Containers of(const StateRoot& root);
};

/// What `create` needs beyond the image.
struct CreateOptions {
  RunRequest request;                 ///< command, env, workdir, user, hostname, terminal
  std::string name;                   ///< --name ("" : a random one)
  cgroup::Limits limits;              ///< --memory, --cpus, ...
  RestartPolicy restart;              ///< --restart
  bool auto_remove = false;           ///< --rm
  bool interactive = false;           ///< -i
  bool read_only = false;             ///< --read-only
  std::string init_path;              ///< --init: the host's boxlab-init ("" : no init)
  NetworkRequest network;             ///< --network, -p, -P, --network-alias ("" mode: lab 07's lo only)
  std::vector<MountRequest> mounts;   ///< -v and --mount (lab 09), checked already
};

/// Where `--init` puts the init inside the container (Docker: /sbin/docker-init).
inline constexpr const char* kInitPath = "/sbin/boxlab-init";

/**
 * @brief Record a new container of @p image (whose layers are in @p layer_dirs, base first),
 *        without starting it. Bad input (no command, unknown user, bad -e, a name in use, a
 *        missing --mount source) fails here, and leaves no volume or record behind.
 *
 * The image's VOLUMEs and -v/--mount's volumes are created here (container_volumes.hpp).
 */
Container create_container(const Containers& containers, const image::Image& image, const std::string& image_name,
                           const std::vector<std::string>& layer_dirs, const CreateOptions& options);

/// Stop container @p ref: SIGTERM (or its StopSignal), SIGKILL after @p timeout_seconds; a
/// restart policy does not bring it back. Returns false when it was not running.
bool stop_container(const Containers& containers, const std::string& ref, int timeout_seconds = 10);

/// Send @p signal to container @p ref's first process (a stop request first when it is
/// SIGKILL or SIGTERM, as docker kill); throws when it is not running.
void kill_container(const Containers& containers, const std::string& ref, int signal);

/// Remove container @p ref and its writable layer; a running one only with @p force (killed
/// first), otherwise Docker's "You cannot remove a running container" error. With
/// @p anonymous_volumes (`rm -v`) its anonymous volumes go too; named volumes always stay.
void remove_container(const Containers& containers, const std::string& ref, bool force, bool anonymous_volumes = false);

/// Wait until container @p ref is no longer running (its monitor is gone); returns its exit code.
int wait_container(const Containers& containers, const std::string& ref);

/// True while container @p c runs or a monitor may restart it.
bool is_running(const Container& c);

}  // namespace boxlab::container
