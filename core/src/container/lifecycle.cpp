// The lifecycle: create, stop, kill, rm, wait (start is the monitor's, monitor.cpp).
//
// create does all the checking: the spec is built and recorded whole, so start cannot fail for
// a reason create could have seen. The spec is Docker's default one (runc spec + Docker's
// masked paths and capabilities) filled from the image config by image_config.cpp.
//
// stop is a protocol between two processes. The stopper first leaves a stop request beside the
// state, so the monitor knows the end was wanted and its restart policy stays quiet; then it
// signals the container's first process, waits for the monitor to record the end, and after the
// timeout sends SIGKILL, which a PID 1 cannot ignore from outside its namespace
// (pid_namespaces(7)). A monitor that died (killed, or the machine rebooted) is detected by its
// PID start time, and its container is then reported exited.
//
// Interface: Containers::of, create_container, stop_container, kill_container,
//   remove_container, wait_container, is_running
#include "boxlab/container/lifecycle.hpp"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "boxlab/container/container_volumes.hpp"
#include "boxlab/fs/overlay.hpp"
#include "boxlab/security/capabilities.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/signals.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/text.hpp"

namespace boxlab::container {

namespace {

using namespace std::chrono_literals;

// The layer whose /etc/passwd the container will see: the topmost one that has the file.
std::string passwd_layer(const std::vector<std::string>& layer_dirs) {
  for (auto it = layer_dirs.rbegin(); it != layer_dirs.rend(); ++it)
    if (sys::exists(*it + "/etc/passwd")) return *it;
  return layer_dirs.empty() ? "/nonexistent" : layer_dirs.back();
}

// The image's StopSignal, kept as the OCI annotation runtimes read it from, else SIGTERM.
constexpr const char* kStopSignalAnnotation = "org.opencontainers.image.stopSignal";

int stop_signal_of(const Container& c) {
  const auto& annotations = c.config.spec.annotations;
  auto it = annotations.find(kStopSignalAnnotation);
  return it == annotations.end() ? SIGTERM : sys::parse_signal(it->second.c_str());
}

// --init: the tiny init, bind-mounted read-only, runs the command as its child (boxlab_init.cpp).
void add_init(Spec& spec, const std::string& init_path) {
  spec.mounts.push_back({kInitPath, "bind", init_path, {"bind", "ro", "nosuid", "nodev"}});
  spec.process.args.insert(spec.process.args.begin(), {kInitPath, "--"});
}

Spec spec_for(const image::Image& image, const std::vector<std::string>& layer_dirs, const CreateOptions& options,
              const std::string& id) {
  Spec spec = default_spec({});
  spec.process = process_for_image(image.container_config, options.request, passwd_layer(layer_dirs));
  spec.process.capabilities = security::docker_default_capabilities();
  spec.hostname = options.request.hostname.empty() ? id.substr(0, 12) : options.request.hostname;
  spec.root.readonly = options.read_only;
  spec.root.path = "(the overlay, mounted by the monitor)";  // replaced at each start
  add_rootfs_defaults(spec);
  add_cgroup_defaults(spec, id, options.limits);
  if (!options.init_path.empty()) add_init(spec, options.init_path);
  if (!image.container_config.stop_signal.empty())
    spec.annotations[kStopSignalAnnotation] = image.container_config.stop_signal;
  return spec;
}

void wait_for_end(const Containers& containers, const std::string& id, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!is_running(containers.store.find(id))) return;
    std::this_thread::sleep_for(10ms);
  }
}

}  // namespace

Containers Containers::of(const StateRoot& root) {
  NetworkPaths network{root.networks(), root.data + "/containers", root.default_bridge()};
  return {ContainerStore(root.data + "/containers"), MonitorPaths{root.containers(), root.container_layers(), network, root.volumes()}};
}

bool is_running(const Container& c) {
  return (c.state.status == "running" || c.state.status == "restarting") && c.monitor_alive();
}

Container create_container(const Containers& containers, const image::Image& image, const std::string& image_name,
                           const std::vector<std::string>& layer_dirs, const CreateOptions& options) {
  ContainerConfig config;
  config.id = new_container_id();
  config.name = options.name.empty() ? random_container_name() + "_" + config.id.substr(0, 4) : options.name;
  config.image = image_name;
  config.image_id = image.id();
  config.created = sys::now_rfc3339(true);
  config.layers = layer_dirs;
  config.restart = options.restart;
  config.auto_remove = options.auto_remove;
  config.interactive = options.interactive;
  if (options.auto_remove && options.restart.name != "no")
    throw Error("conflicting options: cannot specify both --restart and --rm");
  for (const auto& dir : layer_dirs) fs::convert_whiteouts(dir);
  config.spec = spec_for(image, layer_dirs, options, config.id);
  config.network = options.network;
  config.network.exposed = image.container_config.exposed_ports;
  plan_network(config.spec, config.network, containers.paths.network, containers.paths.network.containers + "/" + config.id);
  // The mounts last, after Docker's defaults; the volumes they made go again if the record cannot be made.
  VolumeStore volumes(containers.paths.volumes);
  std::vector<std::string> made = attach_mounts(config, options.mounts, image.container_config.volumes, volumes);
  try {
    return containers.store.create(config);
  } catch (...) {
    for (const auto& name : made) volumes.remove(name);
    throw;
  }
}

void kill_container(const Containers& containers, const std::string& ref, int signal) {
  Container c = containers.store.find(ref);
  if (!is_running(c) || !c.process_alive())
    throw Error("cannot kill container " + ref + ": container " + c.config.id + " is not running", 1);
  if (signal == SIGKILL || signal == SIGTERM) sys::write_file_atomically(stop_request_path(c), "");
  sys::kill(c.state.pid, signal);
}

bool stop_container(const Containers& containers, const std::string& ref, int timeout_seconds) {
  Container c = containers.store.find(ref);
  // A live monitor may start the container again (between two runs it briefly reads "exited"),
  // so what counts is the monitor, not the status.
  if (!c.monitor_alive()) return false;
  // LAB 07 BEGIN: leave the stop request, send the stop signal, wait up to the timeout, then SIGKILL and wait again
  sys::write_file_atomically(stop_request_path(c), "");
  if (c.process_alive()) sys::kill(c.state.pid, stop_signal_of(c));
  wait_for_end(containers, c.config.id, std::chrono::seconds(std::max(timeout_seconds, 0)));
  c = containers.store.find(c.config.id);
  if (is_running(c) && c.process_alive()) {
    sys::kill(c.state.pid, SIGKILL);
    wait_for_end(containers, c.config.id, 10s);
  }
  // LAB 07 END
  // The monitor records the end before it unmounts the root filesystem; stop returns once it
  // is gone, so an `rm` right after finds nothing in use.
  for (int i = 0; i < 1000 && containers.store.find(c.config.id).monitor_alive(); ++i) std::this_thread::sleep_for(10ms);
  return true;
}

void remove_container(const Containers& containers, const std::string& ref, bool force, bool anonymous_volumes) {
  Container c = containers.store.find(ref);
  if (c.monitor_alive()) {
    if (!force)
      throw Error("cannot remove container \"" + c.config.name + "\": container is running: stop the container before "
                  "removing or force remove", 1);
    stop_container(containers, c.config.id, 0);
  }
  std::error_code ec;
  if (std::filesystem::exists(containers.paths.overlays + "/" + c.config.id, ec))
    fs::remove_container_layer(containers.paths.overlays, c.config.id);
  containers.store.remove(c.config.id);
  if (anonymous_volumes) remove_anonymous_volumes(containers.store, VolumeStore(containers.paths.volumes), c.config);
}

int wait_container(const Containers& containers, const std::string& ref) {
  Container c = containers.store.find(ref);
  while (is_running(c)) {
    std::this_thread::sleep_for(20ms);
    c = containers.store.find(c.config.id);
  }
  return c.state.exit_code;
}

}  // namespace boxlab::container
