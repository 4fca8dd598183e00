// The container store: one directory per container that exists (created, running or exited).
//
//   <dir>/<id>/config.json     what it was created with: name, image, the OCI spec, policies
//   <dir>/<id>/state.json      status, PIDs with their start times, exit code, times
//   <dir>/<id>/<id>-json.log   its output (log_file.hpp)
//
// Docker keeps the same split (config.v2.json and hostconfig.json beside the log): the config
// is written once, the state on every change. Each is replaced atomically, so a reader sees the
// old or the new file, never half. Names are unique: create and rename check under flock(2) on
// the store directory, so two concurrent `create --name web` cannot both win.
//
// Interface: RestartPolicy::{parse,str,should_restart}, ContainerStore::{create,list,find,
//   save_state,rename,remove,log_path}, Container::{process_alive,monitor_alive},
//   random_container_name
#include "boxlab/container/container_store.hpp"

#include <fcntl.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "boxlab/container/state.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/text.hpp"

namespace boxlab::container {

namespace {

using nlohmann::json;
namespace stdfs = std::filesystem;

constexpr int kExitNoSuchContainer = 1;  // docker's exit code for a daemon error

json config_to_json(const ContainerConfig& c) {
  return {{"Id", c.id},
          {"Name", c.name},
          {"Image", c.image},
          {"ImageID", c.image_id},
          {"Created", c.created},
          {"Layers", c.layers},
          {"RestartPolicy", {{"Name", c.restart.name}, {"MaximumRetryCount", c.restart.max_retries}}},
          {"AutoRemove", c.auto_remove},
          {"Interactive", c.interactive},
          {"Network", {{"Mode", c.network.mode}, {"Aliases", c.network.aliases}, {"Publish", c.network.publish},
                       {"PublishAll", c.network.publish_all}, {"Exposed", c.network.exposed}}},
          {"Mounts", json::parse(mount_points_json(c.mounts))},
          {"CopyUp", c.copy_up},
          {"Spec", json::parse(to_json(c.spec))}};
}

ContainerConfig config_from_json(const json& j) {
  ContainerConfig c;
  c.id = j.at("Id").get<std::string>();
  c.name = j.at("Name").get<std::string>();
  c.image = j.value("Image", "");
  c.image_id = j.value("ImageID", "");
  c.created = j.value("Created", "");
  c.layers = j.value("Layers", std::vector<std::string>{});
  c.restart.name = j.at("RestartPolicy").value("Name", "no");
  c.restart.max_retries = j.at("RestartPolicy").value("MaximumRetryCount", 0);
  c.auto_remove = j.value("AutoRemove", false);
  c.interactive = j.value("Interactive", false);
  c.spec = from_json(j.at("Spec").dump());
  json n = j.value("Network", json::object());
  c.network.mode = n.value("Mode", "");
  c.network.aliases = n.value("Aliases", std::vector<std::string>{});
  c.network.publish = n.value("Publish", std::vector<std::string>{});
  c.network.publish_all = n.value("PublishAll", false);
  c.network.exposed = n.value("Exposed", std::vector<std::string>{});
  c.mounts = mount_points_from_json(j.value("Mounts", json::array()).dump());
  c.copy_up = j.value("CopyUp", std::vector<std::string>{});
  return c;
}

json state_to_json(const ContainerState& s) {
  return {{"Status", s.status},         {"Pid", s.pid},
          {"PidStartTime", s.pid_start_time}, {"MonitorPid", s.monitor_pid},
          {"MonitorStartTime", s.monitor_start_time}, {"ExitCode", s.exit_code},
          {"OOMKilled", s.oom_killed},  {"StoppedByUser", s.stopped_by_user},
          {"RestartCount", s.restart_count}, {"StartedAt", s.started_at},
          {"FinishedAt", s.finished_at}, {"Error", s.error},
          {"Endpoint", {{"Network", s.endpoint.network}, {"IPAddress", s.endpoint.ip_address},
                        {"IPPrefixLen", s.endpoint.prefix}, {"Gateway", s.endpoint.gateway}, {"Ports", s.endpoint.ports}}}};
}

ContainerState state_from_json(const json& j) {
  ContainerState s;
  s.status = j.at("Status").get<std::string>();
  s.pid = j.value("Pid", 0);
  s.pid_start_time = j.value("PidStartTime", uint64_t{0});
  s.monitor_pid = j.value("MonitorPid", 0);
  s.monitor_start_time = j.value("MonitorStartTime", uint64_t{0});
  s.exit_code = j.value("ExitCode", 0);
  s.oom_killed = j.value("OOMKilled", false);
  s.stopped_by_user = j.value("StoppedByUser", false);
  s.restart_count = j.value("RestartCount", 0);
  s.started_at = j.value("StartedAt", "");
  s.finished_at = j.value("FinishedAt", "");
  s.error = j.value("Error", "");
  json e = j.value("Endpoint", json::object());
  s.endpoint.network = e.value("Network", "");
  s.endpoint.ip_address = e.value("IPAddress", "");
  s.endpoint.prefix = e.value("IPPrefixLen", 0);
  s.endpoint.gateway = e.value("Gateway", "");
  s.endpoint.ports = e.value("Ports", std::vector<std::string>{});
  return s;
}

bool same_process(pid_t pid, uint64_t start_time) {
  if (pid <= 0) return false;
  try {
    return sys::process_start_time(pid) == start_time;
  } catch (const Error&) {
    return false;
  }
}

void check_name(const std::string& name) {
  static const std::regex valid("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
  if (!std::regex_match(name, valid))
    throw Error("Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
}

sys::UniqueFd lock_dir(const std::string& dir) {
  sys::mkdir_all(dir, 0700);
  sys::UniqueFd fd = sys::open(dir, O_RDONLY | O_DIRECTORY);
  sys::lock_exclusive(fd.get());
  return fd;
}

}  // namespace

RestartPolicy RestartPolicy::parse(const std::string& text) {
  RestartPolicy policy;
  std::string name = text.substr(0, text.find(':'));
  std::string count = text.find(':') == std::string::npos ? "" : text.substr(text.find(':') + 1);
  bool ok = name == "no" || name == "always" || name == "unless-stopped" || name == "on-failure";
  if (ok && !count.empty()) {
    ok = name == "on-failure" && count.find_first_not_of("0123456789") == std::string::npos && count.size() < 6;
    if (ok) policy.max_retries = std::stoi(count);
  }
  if (!ok || text.empty()) throw Error("invalid restart policy '" + text + "': use no, always, unless-stopped or on-failure[:N]");
  policy.name = name;
  return policy;
}

std::string RestartPolicy::str() const {
  return name == "on-failure" && max_retries > 0 ? name + ":" + std::to_string(max_retries) : name;
}

bool RestartPolicy::should_restart(int exit_code, int restarts, bool stopped_by_user) const {
  // LAB 07 BEGIN: never after stop/kill or with "no"; on-failure only for a non-zero exit and fewer than N restarts; always and unless-stopped always
  if (stopped_by_user || name == "no") return false;
  if (name == "on-failure") return exit_code != 0 && (max_retries == 0 || restarts < max_retries);
  return true;  // always, unless-stopped
  // LAB 07 END
}

bool Container::process_alive() const { return same_process(state.pid, state.pid_start_time); }
bool Container::monitor_alive() const { return same_process(state.monitor_pid, state.monitor_start_time); }

Container ContainerStore::create(const ContainerConfig& config) const {
  check_name(config.name);
  sys::UniqueFd held = lock_dir(dir_);
  for (const auto& other : list())
    if (other.config.name == config.name)
      throw Error("Conflict. The container name \"/" + config.name + "\" is already in use by container \"" +
                  other.config.id + "\". You have to remove (or rename) that container to be able to reuse that name.");
  std::string dir = dir_ + "/" + config.id;
  sys::mkdir(dir, 0700);
  sys::write_file_atomically(dir + "/config.json", config_to_json(config).dump(2));
  sys::write_file_atomically(dir + "/state.json", state_to_json({}).dump(2));
  return {config, {}, dir};
}

Container ContainerStore::read(const std::string& id) const {
  Container c;
  c.dir = dir_ + "/" + id;
  c.config.id = id;
  try {
    c.config = config_from_json(json::parse(sys::read_file(c.dir + "/config.json")));
    c.state = state_from_json(json::parse(sys::read_file(c.dir + "/state.json")));
  } catch (const std::exception& e) {
    c.config.id = id;
    if (c.config.name.empty()) c.config.name = id.substr(0, 12);
    c.state.status = "dead";
    c.state.error = "corrupt record " + c.dir + ": " + e.what();
  }
  return c;
}

std::vector<Container> ContainerStore::list() const {
  std::vector<Container> out;
  if (!sys::exists(dir_)) return out;
  for (const auto& entry : stdfs::directory_iterator(dir_))
    if (entry.is_directory() && entry.path().filename().string().size() == 64)
      out.push_back(read(entry.path().filename().string()));
  std::sort(out.begin(), out.end(), [](const Container& a, const Container& b) { return a.config.created > b.config.created; });
  return out;
}

Container ContainerStore::find(const std::string& ref) const {
  std::vector<Container> all = list();
  for (const auto& c : all)
    if (c.config.name == ref || c.config.id == ref) return c;
  std::vector<const Container*> matches;
  if (!ref.empty() && ref.find_first_not_of("0123456789abcdef") == std::string::npos)
    for (const auto& c : all)
      if (c.config.id.starts_with(ref)) matches.push_back(&c);
  if (matches.size() == 1) return *matches.front();
  if (matches.size() > 1) throw Error("multiple containers match the id prefix " + ref + "; give more of it", kExitNoSuchContainer);
  throw Error("No such container: " + ref, kExitNoSuchContainer);
}

void ContainerStore::save_state(const std::string& id, const ContainerState& state) const {
  sys::write_file_atomically(dir_ + "/" + id + "/state.json", state_to_json(state).dump(2));
}

void ContainerStore::rename(const std::string& id, const std::string& name) const {
  check_name(name);
  sys::UniqueFd held = lock_dir(dir_);
  Container c = read(id);
  for (const auto& other : list())
    if (other.config.name == name && other.config.id != id)
      throw Error("Conflict. The container name \"/" + name + "\" is already in use by container \"" + other.config.id + "\"");
  c.config.name = name;
  sys::write_file_atomically(c.dir + "/config.json", config_to_json(c.config).dump(2));
}

void ContainerStore::save_config(const Container& c) const {
  sys::UniqueFd held = lock_dir(dir_);
  sys::write_file_atomically(c.dir + "/config.json", config_to_json(c.config).dump(2));
}

void ContainerStore::remove(const std::string& id) const {
  std::error_code ec;
  stdfs::remove_all(dir_ + "/" + id, ec);
  if (ec) throw Error(ec.value(), "remove container " + id);
}

std::string ContainerStore::log_path(const std::string& id) const { return dir_ + "/" + id + "/" + id + "-json.log"; }

std::string random_container_name() {
  static const char* const kLeft[] = {"admiring", "brave", "clever", "eager", "focused", "gallant", "happy", "jolly",
                                      "keen", "lucid", "modest", "nifty", "quirky", "serene", "tender", "vibrant"};
  static const char* const kRight[] = {"babbage", "curie", "dijkstra", "euler", "hopper", "kare", "lamport", "liskov",
                                       "lovelace", "noether", "ritchie", "shannon", "thompson", "torvalds", "turing", "wozniak"};
  std::string bytes = sys::getrandom(2);
  return std::string(kLeft[static_cast<unsigned char>(bytes[0]) % 16]) + "_" + kRight[static_cast<unsigned char>(bytes[1]) % 16];
}

}  // namespace boxlab::container
