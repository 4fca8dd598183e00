// Container records on the host: one directory per container with state.json and a lock.
//
// The lock is flock(2) on <dir>/lock, taken by the runtime when it creates the record and kept
// until it exits; the kernel drops it when the runtime dies, even by SIGKILL, so "lock free"
// means "nobody looks after this container any more". Creating a record and sweeping records
// both hold the lock of the containers directory, so a sweep never sees a record in the
// instant between mkdir and flock. state.json is replaced atomically: a reader sees the old
// file or the new one, never half of one (rename(2)).
//
// Interface: StateRoot::resolve, new_container_id, short_id, State::{process_alive,runtime_gone}, to_json,
//   state_from_json, StateRecord::{create,update,~StateRecord}, list_states, resolve_id,
//   remove_record, lock_containers_dir
#include "boxlab/container/state.hpp"

#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/text.hpp"

namespace boxlab::container {

using nlohmann::json;

StateRoot StateRoot::resolve(const std::string& root_flag) {
  std::string root = root_flag;
  if (root.empty())
    if (const char* env = std::getenv("BOXLAB_ROOT"); env && *env) root = env;
  if (root.empty()) return {};
  return {root, root + "/run"};
}

std::string new_container_id() { return sys::random_hex(32); }

std::string short_id(const std::string& id) { return id.substr(0, 12); }

std::string StateRoot::default_bridge() const {
  if (data == StateRoot{}.data) return "boxlab0";
  // FNV-1a of the directory: stable across runs and builds, unlike std::hash.
  uint32_t hash = 2166136261u;
  for (unsigned char c : data) hash = (hash ^ c) * 16777619u;
  char name[16];
  std::snprintf(name, sizeof name, "boxlab-%08x", hash);
  return name;
}

bool State::runtime_gone() const {
  return runtime_pid > 0 && sys::process_start_time(runtime_pid) != runtime_start_time;
}

bool State::process_alive() const {
  return pid > 0 && pid_start_time != 0 && sys::process_start_time(pid) == pid_start_time;
}

std::string to_json(const State& s) {
  json j = {{"id", s.id},         {"status", s.status},   {"pid", s.pid},
            {"pidStartTime", s.pid_start_time}, {"created", s.created.empty() ? sys::now_rfc3339() : s.created},
            {"command", s.command}, {"cgroupDirs", s.cgroup_dirs},
            {"runtimePid", s.runtime_pid}, {"runtimeStartTime", s.runtime_start_time}};
  return j.dump(2);
}

State state_from_json(const std::string& text, const std::string& where) {
  try {
    json j = json::parse(text);
    State s;
    s.id = j.at("id").get<std::string>();
    s.status = j.at("status").get<std::string>();
    s.pid = j.at("pid").get<pid_t>();
    s.pid_start_time = j.at("pidStartTime").get<uint64_t>();
    s.created = j.value("created", "");
    s.command = j.value("command", std::vector<std::string>{});
    s.cgroup_dirs = j.value("cgroupDirs", std::vector<std::string>{});
    s.runtime_pid = j.value("runtimePid", 0);
    s.runtime_start_time = j.value("runtimeStartTime", uint64_t{0});
    return s;
  } catch (const json::exception& e) {
    throw Error(where + ": corrupt state file (" + e.what() + ")");
  }
}

sys::UniqueFd lock_containers_dir(const std::string& containers_dir) {
  sys::mkdir_all(containers_dir, 0700);
  sys::UniqueFd fd = sys::open(containers_dir + "/.lock", O_RDWR | O_CREAT, 0600);
  sys::lock_exclusive(fd.get());
  return fd;
}

StateRecord StateRecord::create(const std::string& containers_dir, const State& state) {
  sys::UniqueFd dir_lock = lock_containers_dir(containers_dir);
  std::string dir = containers_dir + "/" + state.id;
  sys::mkdir(dir, 0700);
  sys::UniqueFd lock = sys::open(dir + "/lock", O_RDWR | O_CREAT, 0600);
  sys::lock_exclusive(lock.get());
  StateRecord record(dir, std::move(lock));
  record.update(state);
  return record;
}

void StateRecord::update(const State& state) { sys::write_file_atomically(dir_ + "/state.json", to_json(state)); }

StateRecord::~StateRecord() {
  if (dir_.empty()) return;
  try {
    remove_record(dir_);
  } catch (...) {
    // The next collect_garbage() removes it: its lock is free once we are gone.
  }
}

void remove_record(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) throw Error("remove " + dir + ": " + ec.message());
}

std::vector<State> list_states(const std::string& containers_dir) {
  std::vector<State> states;
  if (!sys::exists(containers_dir)) return states;
  for (const auto& entry : std::filesystem::directory_iterator(containers_dir)) {
    if (!entry.is_directory()) continue;
    std::string file = entry.path().string() + "/state.json";
    try {
      states.push_back(state_from_json(sys::read_file(file), file));
    } catch (const Error& e) {
      std::fprintf(stderr, "warning: skipping container %s: %s\n", entry.path().filename().c_str(), e.what());
    }
  }
  return states;
}

std::string resolve_id(const std::string& containers_dir, const std::string& prefix) {
  std::vector<std::string> matches;
  for (const auto& s : list_states(containers_dir))
    if (!prefix.empty() && s.id.rfind(prefix, 0) == 0) matches.push_back(s.id);
  if (matches.empty()) throw Error("No such container: " + prefix);
  if (matches.size() > 1) throw Error("container id prefix " + prefix + " is ambiguous: use more characters");
  return matches.front();
}

}  // namespace boxlab::container
