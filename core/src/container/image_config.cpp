// From an image's config and `run`'s flags to the process of the OCI spec.
//
// An image says how it wants to be run (config.md "config": Entrypoint, Cmd, Env, WorkingDir,
// User); the person running it may override each. Docker's precedence is simple but has two
// traps worth a comment: --entrypoint also drops the image's Cmd (an old Cmd would be arguments
// for an entrypoint that is gone), and a user name means nothing until it is looked up in the
// container's own /etc/passwd: "nobody" is 65534 in busybox and may be another number on the
// host. The files are read with openat2(RESOLVE_IN_ROOT), so a symlinked /etc/passwd in a
// hostile image cannot make the runtime read a host file.
//
// Interface: process_for_image, resolve_user, read_env_file
#include "boxlab/container/image_config.hpp"

#include <fcntl.h>
#include <linux/openat2.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include <fmt/core.h>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::container {

namespace {

Error usage_error(const std::string& message) { return Error(message, kExitRuntimeError); }

std::string key_of(const std::string& assignment) { return assignment.substr(0, assignment.find('=')); }

// Set KEY=value in @p env, replacing an earlier KEY.
void set_env(std::vector<std::string>& env, const std::string& assignment) {
  std::string key = key_of(assignment);
  for (auto& existing : env)
    if (key_of(existing) == key) {
      existing = assignment;
      return;
    }
  env.push_back(assignment);
}

// -e KEY=value as is; -e KEY from the caller's environment, or nothing when it is unset.
std::optional<std::string> env_assignment(const std::string& item) {
  if (item.empty() || item.front() == '=') throw usage_error("invalid environment variable: " + item);
  if (item.find('=') != std::string::npos) return item;
  if (const char* value = std::getenv(item.c_str())) return item + "=" + value;
  return std::nullopt;
}

std::string read_in_rootfs(const std::string& rootfs, const std::string& path) {
  sys::UniqueFd root = sys::open(rootfs, O_RDONLY | O_DIRECTORY);
  try {
    sys::UniqueFd file = sys::openat2(root.get(), path, O_RDONLY, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    std::string text;
    char buffer[4096];
    while (size_t n = sys::read(file.get(), buffer, sizeof buffer)) {
      text.append(buffer, n);
      if (text.size() > (1 << 20)) throw Error(path + " is larger than 1 MiB");
    }
    return text;
  } catch (const Error& e) {
    if (e.code().value() == ENOENT) return {};
    throw;
  }
}

// The fields of the line of a passwd/group file whose name (field 0) or id (field 2) is @p key.
std::optional<std::vector<std::string>> find_entry(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::istringstream parts(line);
    for (std::string field; std::getline(parts, field, ':');) fields.push_back(field);
    if (fields.size() >= 3 && (fields[0] == key || fields[2] == key)) return fields;
  }
  return std::nullopt;
}

std::optional<uint32_t> number(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 10) return std::nullopt;
  unsigned long value = std::stoul(text);
  if (value > 0xffffffffUL) return std::nullopt;
  return static_cast<uint32_t>(value);
}

}  // namespace

ResolvedUser resolve_user(const std::string& rootfs, const std::string& user) {
  if (user.empty()) return {};
  std::string name = user.substr(0, user.find(':'));
  std::string group = user.find(':') == std::string::npos ? "" : user.substr(user.find(':') + 1);
  ResolvedUser resolved;
  auto entry = find_entry(read_in_rootfs(rootfs, "/etc/passwd"), name);
  if (entry && entry->size() >= 4) {
    resolved.uid = static_cast<uint32_t>(std::stoul((*entry)[2]));
    resolved.gid = number((*entry)[3]).value_or(0);
  } else if (auto uid = number(name)) {
    resolved.uid = *uid;  // a number needs no entry; its group is then 0, as in Docker
  } else {
    throw usage_error("unable to find user " + name + ": no matching entries in passwd file");
  }
  if (group.empty()) return resolved;
  if (auto found = find_entry(read_in_rootfs(rootfs, "/etc/group"), group); found && number((*found)[2])) {
    resolved.gid = *number((*found)[2]);
  } else if (auto gid = number(group)) {
    resolved.gid = *gid;
  } else {
    throw usage_error("unable to find group " + group + ": no matching entries in group file");
  }
  return resolved;
}

std::vector<std::string> read_env_file(const std::string& path) {
  std::string text = with_context("open env file " + path, [&] { return sys::read_file(path); });
  std::vector<std::string> env;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    if (auto assignment = env_assignment(line.substr(start))) env.push_back(*assignment);
  }
  return env;
}

Process process_for_image(const image::ContainerConfig& config, const RunRequest& request, const std::string& rootfs) {
  Process process;
  // LAB 07 BEGIN: the command is Entrypoint + Cmd: arguments after the image replace Cmd; --entrypoint replaces Entrypoint ("" clears it) and drops the image's Cmd
  std::vector<std::string> entrypoint = config.entrypoint;
  std::vector<std::string> cmd = config.cmd;
  if (request.entrypoint) {
    entrypoint = request.entrypoint->empty() ? std::vector<std::string>{} : std::vector<std::string>{*request.entrypoint};
    cmd.clear();
  }
  if (!request.command.empty()) cmd = request.command;
  process.args = entrypoint;
  process.args.insert(process.args.end(), cmd.begin(), cmd.end());
  // LAB 07 END
  if (process.args.empty()) throw usage_error("No command specified");

  std::vector<std::string> env = config.env;
  if (std::none_of(env.begin(), env.end(), [](const std::string& e) { return key_of(e) == "PATH"; }))
    env.insert(env.begin(), kDefaultPath);
  if (!request.hostname.empty()) set_env(env, "HOSTNAME=" + request.hostname);
  if (request.terminal) set_env(env, "TERM=xterm");
  for (const auto& file : request.env_files)
    for (const auto& assignment : read_env_file(file)) set_env(env, assignment);
  for (const auto& item : request.env)
    if (auto assignment = env_assignment(item)) set_env(env, *assignment);
  process.env = env;

  process.cwd = request.workdir.value_or(config.working_dir);
  if (process.cwd.empty()) process.cwd.push_back('/');  // (= "/" trips GCC 12 -Wrestrict)
  if (process.cwd.front() != '/')
    throw usage_error(fmt::format("the working directory '{}' is invalid, it needs to be an absolute path", process.cwd));
  ResolvedUser user = resolve_user(rootfs, request.user.value_or(config.user));
  process.uid = user.uid;
  process.gid = user.gid;
  process.terminal = request.terminal;
  return process;
}

}  // namespace boxlab::container
