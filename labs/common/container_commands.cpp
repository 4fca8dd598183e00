// lab07's container commands: wiring CLI11 to core/container, printing what docker prints.
#include "container_commands.hpp"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "boxlab/cgroup/limits.hpp"
#include "boxlab/container/container_listing.hpp"
#include "boxlab/container/exec.hpp"
#include "boxlab/container/lifecycle.hpp"
#include "boxlab/container/log_file.hpp"
#include "boxlab/image/docker_config.hpp"
#include "boxlab/image/layers.hpp"
#include "boxlab/image/listing.hpp"
#include "boxlab/image/pull.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/signals.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/terminal.hpp"
#include "boxlab/sys/text.hpp"
#include "cli.hpp"
#include "go_template.hpp"
#include "progress.hpp"

namespace labcli {

namespace {

namespace container = boxlab::container;
namespace image = boxlab::image;
using container::StateRoot;
using namespace std::chrono_literals;

void add_network_flags(CLI::App& cmd, CreateFlags& f) {
  f.network = "bridge";
  cmd.add_option("--network,--net", f.network, "Connect to a network: bridge (default), none, host or a network's name");
  cmd.add_option("--network-alias", f.aliases, "Another name for the container on a user network")->allow_extra_args(false);
  cmd.add_option("-p,--publish", f.publish, "Publish a container's port to the host ([ip:]hostPort:containerPort[/proto])")
      ->allow_extra_args(false);
  cmd.add_flag("-P,--publish-all", f.publish_all, "Publish every exposed port on a free host port");
}

void add_volume_flags(CLI::App& cmd, CreateFlags& f) {
  cmd.add_option("-v,--volume", f.volumes, "Bind mount a host path or mount a volume: [SRC:]DST[:ro|rw|nocopy|…]")
      ->allow_extra_args(false);
  cmd.add_option("--mount", f.mounts, "Attach a mount: type=bind|volume|tmpfs,src=…,dst=…[,readonly][,…]")
      ->allow_extra_args(false);
}

void add_create_flags(CLI::App& cmd, CreateFlags& f) {
  cmd.set_help_flag("--help", "Print this help (-h is --hostname, as in docker run)");
  cmd.add_flag("-i,--interactive", f.interactive, "Keep stdin open");
  cmd.add_flag("-t,--tty", f.tty, "Allocate a pseudo-terminal");
  cmd.add_flag("--rm", f.remove, "Remove the container when it exits");
  cmd.add_flag("--read-only", f.read_only, "Mount the root filesystem read-only");
  cmd.add_flag("--init", f.init, "Run an init inside the container that forwards signals and reaps processes");
  cmd.add_option("--name", f.name, "Name the container");
  cmd.add_option("-h,--hostname", f.hostname, "Container host name (default: its short id)");
  cmd.add_option("-e,--env", f.env, "Set an environment variable (KEY=value, or KEY to copy it)")->allow_extra_args(false);
  cmd.add_option("--env-file", f.env_files, "Read environment variables from a file")->allow_extra_args(false);
  cmd.add_option("-w,--workdir", f.workdir, "Working directory inside the container");
  cmd.add_option("-u,--user", f.user, "User name or UID[:GID], looked up in the container");
  cmd.add_option("--entrypoint", f.entrypoint, "Override the image's ENTRYPOINT");
  cmd.add_option("--restart", f.restart, "Restart policy: no, always, unless-stopped, on-failure[:N]");
  add_limit_flags(cmd, f.limits);
  cmd.add_option("image", f.image, "IMAGE")->required();
  cmd.prefix_command();  // what follows the image is the container's command
}

// The image, pulled first when it is not in the store (as docker run does).
image::Image image_for(const StateRoot& root, const std::string& name) {
  image::Store store(root.images());
  try {
    return image::find_image(store, name);
  } catch (const boxlab::Error& e) {
    if (std::string(e.what()).rfind("No such image", 0) != 0) throw;
  }
  image::Reference ref = image::Reference::parse(name);
  std::fprintf(stderr, "Unable to find image '%s' locally\n", ref.familiar().c_str());
  LayerProgress progress(stderr, false);
  image::PullOptions options;
  options.registry.credentials = image::stored_credentials(ref.registry());
  return image::pull(store, image::LayerStore(root.layers()), ref, options,
                     [&](const image::LayerEvent& e) { progress(e); })
      .image;
}

// --init's binary: $BOXLAB_INIT, else boxlab-init beside this lab (both built by CMake).
std::string init_binary() {
  if (const char* path = std::getenv("BOXLAB_INIT")) return path;
  std::string beside = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "boxlab-init";
  if (!boxlab::sys::exists(beside))
    throw boxlab::Error("--init: no init at " + beside + " (build target boxlab-init, or set BOXLAB_INIT)");
  return beside;
}

container::CreateOptions create_options(const CreateFlags& f, std::vector<std::string> command) {
  container::CreateOptions o;
  o.request.command = std::move(command);
  o.request.entrypoint = f.entrypoint;
  o.request.env = f.env;
  o.request.env_files = f.env_files;
  if (!f.workdir.empty()) o.request.workdir = f.workdir;
  if (!f.user.empty()) o.request.user = f.user;
  o.request.hostname = f.hostname;
  o.request.terminal = f.tty;
  o.name = f.name;
  o.limits = limits_from_flags(f.limits);
  boxlab::cgroup::validate_on_this_machine(o.limits);  // before the image is looked up or pulled
  o.restart = container::RestartPolicy::parse(f.restart);
  o.auto_remove = f.remove;
  o.interactive = f.interactive;
  o.read_only = f.read_only;
  if (f.init) o.init_path = init_binary();
  o.network = {f.network, f.aliases, f.publish, f.publish_all, {}};
  if (f.network == "host" && (!f.publish.empty() || f.publish_all)) {  // as the docker CLI does
    std::fputs("WARNING: Published ports are discarded when using host network mode\n", stderr);
    o.network.publish.clear();
    o.network.publish_all = false;
  }
  for (const auto& v : f.volumes) o.mounts.push_back(container::parse_volume_flag(v));
  for (const auto& m : f.mounts) o.mounts.push_back(container::parse_mount_flag(m));
  return o;
}

// A foreground run or start -a: this process is the monitor, attached to the terminal.
int attached(const container::Containers& cs, const std::string& id, bool interactive, bool tty) {
  container::MonitorIo io;
  io.stdin_fd = interactive ? STDIN_FILENO : -1;
  io.stdout_fd = STDOUT_FILENO;
  io.stderr_fd = STDERR_FILENO;
  io.size_source = tty && ::isatty(STDIN_FILENO) ? STDIN_FILENO : -1;
  // Raw mode only when keys go to the container: then ^C is a byte for its terminal.
  std::optional<boxlab::sys::RawMode> raw;
  if (tty && interactive) raw.emplace(STDIN_FILENO);
  return container::monitor_container(cs.store, id, cs.paths, io);
}

bool matches_filters(const container::Container& c, const std::vector<std::string>& filters) {
  for (const auto& f : filters) {
    size_t eq = f.find('=');
    if (eq == std::string::npos) throw boxlab::Error("bad filter '" + f + "': use key=value");
    std::string key = f.substr(0, eq), value = f.substr(eq + 1);
    if (key == "status" && container::state_name(c) != value) return false;
    else if (key == "name" && c.config.name.find(value) == std::string::npos) return false;
    else if (key == "id" && !c.config.id.starts_with(value)) return false;
    else if (key != "status" && key != "name" && key != "id") throw boxlab::Error("unsupported filter '" + key + "'");
  }
  return true;
}

}  // namespace

ContainerCommands::ContainerCommands(CLI::App& app, std::string lab, int number) : lab_(std::move(lab)) {
  run_ = app.add_subcommand("run", "Create and start a container from an image");
  run_->add_flag("-d,--detach", flags_.detach, "Run in the background and print the container's id");
  add_create_flags(*run_, flags_);
  create_ = app.add_subcommand("create", "Create a container from an image, without starting it");
  add_create_flags(*create_, flags_);
  if (number >= 8) {
    add_network_flags(*run_, flags_);
    add_network_flags(*create_, flags_);
  }
  if (number >= 9) {
    add_volume_flags(*run_, flags_);
    add_volume_flags(*create_, flags_);
  }
  start_ = app.add_subcommand("start", "Start stopped containers");
  start_->add_flag("-a,--attach", attach_, "Attach to its output and wait for it");
  start_->add_flag("-i,--interactive", flags_.interactive, "Attach stdin");
  start_->add_option("container", refs_, "CONTAINER...")->required();
  ps_ = app.add_subcommand("ps", "List containers");
  ps_->add_flag("-a,--all", all_, "Show all containers (default: running ones)");
  ps_->add_flag("-q,--quiet", quiet_, "Only ids");
  ps_->add_flag("--no-trunc", no_trunc_, "Do not truncate");
  ps_->add_option("-f,--filter", filters_, "status=…, name=…, id=…")->allow_extra_args(false);
  ps_->add_option("--format", format_, "A Go template: {{.ID}} {{.Names}} {{.Status}} …");
  logs_ = app.add_subcommand("logs", "Show a container's output");
  logs_->add_flag("-f,--follow", follow_, "Follow the output while the container runs");
  logs_->add_option("-n,--tail", tail_, "Only the last N lines");
  logs_->add_flag("-t,--timestamps", timestamps_, "Show timestamps");
  logs_->add_option("container", refs_, "CONTAINER")->required()->expected(1);
  exec_ = app.add_subcommand("exec", "Run a command in a running container");
  exec_->add_flag("-i,--interactive", flags_.interactive, "Keep stdin open");
  exec_->add_flag("-t,--tty", flags_.tty, "Allocate a pseudo-terminal");
  exec_->add_option("-e,--env", flags_.env, "Set an environment variable")->allow_extra_args(false);
  exec_->add_option("-w,--workdir", flags_.workdir, "Working directory");
  exec_->add_option("-u,--user", flags_.user, "User name or UID[:GID]");
  exec_->add_option("container", flags_.image, "CONTAINER")->required();
  exec_->prefix_command();
  top_ = app.add_subcommand("top", "Show a container's processes");
  top_->add_option("container", refs_, "CONTAINER")->required()->expected(1);
  inspect_ = app.add_subcommand("inspect", "Show containers' or images' details as JSON");
  inspect_->add_option("-f,--format", format_, "A Go template per object");
  inspect_->add_option("object", refs_, "CONTAINER|IMAGE...")->required();
  stop_ = app.add_subcommand("stop", "Stop containers: SIGTERM, then SIGKILL after -t seconds");
  stop_->add_option("-t,--time", timeout_, "Seconds to wait before SIGKILL")->capture_default_str();
  stop_->add_option("container", refs_, "CONTAINER...")->required();
  kill_ = app.add_subcommand("kill", "Send a signal to containers (default SIGKILL)");
  kill_->add_option("-s,--signal", signal_, "Signal name or number")->capture_default_str();
  kill_->add_option("container", refs_, "CONTAINER...")->required();
  restart_ = app.add_subcommand("restart", "Stop and start containers");
  restart_->add_option("-t,--time", timeout_, "Seconds to wait before SIGKILL")->capture_default_str();
  restart_->add_option("container", refs_, "CONTAINER...")->required();
  wait_ = app.add_subcommand("wait", "Wait for containers to stop; print their exit codes");
  wait_->add_option("container", refs_, "CONTAINER...")->required();
  rename_ = app.add_subcommand("rename", "Rename a container");
  rename_->add_option("container", refs_, "CONTAINER")->required()->expected(1);
  rename_->add_option("name", new_name_, "NEW_NAME")->required();
  rm_ = app.add_subcommand("rm", "Remove containers");
  rm_->add_flag("-f,--force", force_, "Kill a running container first");
  if (number >= 9) rm_->add_flag("-v,--volumes", remove_volumes_, "Remove the container's anonymous volumes too");
  rm_->add_option("container", refs_, "CONTAINER...")->required();
  auto* group = app.add_subcommand("container", "Manage containers");
  prune_ = group->add_subcommand("prune", "Remove all stopped containers");
  prune_->add_flag("-f,--force", force_, "Do not ask for confirmation");
  group->require_subcommand(1);
}

std::optional<int> ContainerCommands::run(const StateRoot& root) {
  if (*run_) return run_or_create(root, true);
  if (*create_) return run_or_create(root, false);
  if (*start_) return start(root);
  if (*ps_) return ps(root);
  if (*logs_) return logs(root);
  if (*exec_) return exec(root);
  if (*prune_) return prune(root);
  if (*top_ || *inspect_ || *stop_ || *kill_ || *restart_ || *wait_ || *rename_ || *rm_) return each(root);
  return std::nullopt;
}

int ContainerCommands::run_or_create(const StateRoot& root, bool start) {
  CLI::App& cmd = start ? *run_ : *create_;
  std::vector<std::string> command = cmd.remaining();
  if (flags_.detach && flags_.remove && flags_.restart != "no")
    throw boxlab::Error("conflicting options: cannot specify both --restart and --rm");
  auto options = create_options(flags_, command);  // bad flags fail before anything exists
  image::Image img = image_for(root, flags_.image);
  auto layers = image::LayerStore(root.layers()).ensure(image::Store(root.images()), img);
  auto cs = container::Containers::of(root);
  container::Container c = container::create_container(cs, img, flags_.image, layers, options);
  if (!start) {
    print(c.config.id + "\n");
    return 0;
  }
  if (flags_.detach) {
    container::start_monitor(cs.store, c.config.id, cs.paths);
    print(c.config.id + "\n");
    return 0;
  }
  return attached(cs, c.config.id, flags_.interactive, flags_.tty);
}

int ContainerCommands::start(const StateRoot& root) {
  auto cs = container::Containers::of(root);
  for (const auto& ref : refs_) {
    container::Container c = cs.store.find(ref);
    if (container::is_running(c)) {
      print(ref + "\n");
      continue;
    }
    if (attach_) return attached(cs, c.config.id, flags_.interactive, c.config.spec.process.terminal);
    container::start_monitor(cs.store, c.config.id, cs.paths);
    print(ref + "\n");
  }
  return 0;
}

int ContainerCommands::ps(const StateRoot& root) {
  std::vector<container::Container> shown;
  for (const auto& c : container::Containers::of(root).store.list()) {
    if (!all_ && filters_.empty() && container::state_name(c) != "running") continue;
    if (matches_filters(c, filters_)) shown.push_back(c);
  }
  if (quiet_) {
    for (const auto& c : shown) print((no_trunc_ ? c.config.id : c.config.id.substr(0, 12)) + "\n");
  } else if (!format_.empty()) {
    print(render_template_lines(format_, container::ps_fields_json(shown, no_trunc_)));
  } else {
    print(container::format_ps(shown, no_trunc_));
  }
  return 0;
}

int ContainerCommands::logs(const StateRoot& root) {
  auto cs = container::Containers::of(root);
  container::Container c = cs.store.find(refs_.front());
  auto entries = container::read_log(cs.store.log_path(c.config.id));
  print(container::format_log(entries, timestamps_, tail_));
  for (size_t shown = entries.size(); follow_;) {
    bool running = container::is_running(cs.store.find(c.config.id));
    std::this_thread::sleep_for(100ms);
    entries = container::read_log(cs.store.log_path(c.config.id));
    std::vector<container::LogEntry> fresh(entries.begin() + static_cast<long>(std::min(shown, entries.size())), entries.end());
    print(container::format_log(fresh, timestamps_));
    shown = entries.size();
    if (!running) break;
  }
  return 0;
}

int ContainerCommands::exec(const StateRoot& root) {
  container::ExecOptions options;
  options.args = exec_->remaining();
  if (options.args.empty()) throw boxlab::Error("\"exec\" requires a container and a command to run");
  options.env = flags_.env;
  if (!flags_.workdir.empty()) options.workdir = flags_.workdir;
  if (!flags_.user.empty()) options.user = flags_.user;
  options.terminal = flags_.tty;
  options.interactive = flags_.interactive;
  options.size_source = flags_.tty && ::isatty(STDIN_FILENO) ? STDIN_FILENO : -1;
  std::optional<boxlab::sys::RawMode> raw;
  if (flags_.tty && flags_.interactive) raw.emplace(STDIN_FILENO);
  return container::exec_in_container(container::Containers::of(root), flags_.image, options);
}

// The commands that take a list of containers and do one thing to each.
int ContainerCommands::each(const StateRoot& root) {
  auto cs = container::Containers::of(root);
  if (*inspect_) {
    std::vector<container::Container> found;
    std::vector<image::Image> images;
    for (const auto& ref : refs_) {
      try {
        found.push_back(cs.store.find(ref));
      } catch (const boxlab::Error&) {
        images.push_back(image::find_image(image::Store(root.images()), ref));  // docker inspect: either
      }
    }
    std::string json = images.empty() ? container::inspect_containers(found)
                                      : image::inspect_images(images, image::LayerStore(root.layers()));
    print(format_.empty() ? json : render_template_lines(format_, json));
    return 0;
  }
  if (*top_) {
    container::Container c = cs.store.find(refs_.front());
    if (!container::is_running(c)) throw boxlab::Error("container " + c.config.id + " is not running", 1);
    print(container::format_top(c));
    return 0;
  }
  if (*rename_) {
    cs.store.rename(cs.store.find(refs_.front()).config.id, new_name_);
    return 0;
  }
  int status = 0;
  for (const auto& ref : refs_) {
    try {
      if (*stop_) container::stop_container(cs, ref, timeout_);
      if (*kill_) container::kill_container(cs, ref, boxlab::sys::parse_signal(signal_.c_str()));
      if (*rm_) container::remove_container(cs, ref, force_, remove_volumes_);
      if (*restart_) {
        container::stop_container(cs, ref, timeout_);
        container::start_monitor(cs.store, cs.store.find(ref).config.id, cs.paths);
      }
      print(*wait_ ? std::to_string(container::wait_container(cs, ref)) + "\n" : ref + "\n");
    } catch (const boxlab::Error& e) {  // docker goes on with the others and fails at the end
      std::fflush(stdout);
      std::fprintf(stderr, "%s: %s\n", lab_.c_str(), e.what());
      status = 1;
    }
  }
  return status;
}

int ContainerCommands::prune(const StateRoot& root) {
  if (!force_) {
    std::fprintf(stderr, "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ");
    std::string answer;
    if (!std::getline(std::cin, answer) || (answer != "y" && answer != "Y")) return 0;
  }
  auto cs = container::Containers::of(root);
  std::string deleted;
  for (const auto& c : cs.store.list()) {
    if (container::is_running(c)) continue;
    container::remove_container(cs, c.config.id, false);
    deleted += c.config.id + "\n";
  }
  print((deleted.empty() ? "" : "Deleted Containers:\n" + deleted + "\n") + "Total reclaimed space: 0B\n");
  return 0;
}

}  // namespace labcli
