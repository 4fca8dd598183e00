// Leak sweep: snapshots of the host's mounts, cgroups, links, netns and nft tables, their
// difference, the processes a check left running, and the clean-up that keeps later checks
// from seeing an earlier check's mess.
#include "leaks.hpp"

#include <signal.h>
#include <sys/mount.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "boxlab/net/nat.hpp"
#include "boxlab/net/nftables.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/process.hpp"
#include "boxlab/sys/syscall.hpp"
#include "processes.hpp"

namespace checker {

namespace stdfs = std::filesystem;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::set<std::string> names_in(const stdfs::path& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(dir, ec)) out.insert(e.path().filename().string());
  return out;
}

std::set<std::string> find_nft_tables() {
  std::set<std::string> out;
  try {
    boxlab::net::Nftables nft;
    std::istringstream in(nft.run("list tables"));
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      std::string table, family, name;
      if (words >> table >> family >> name && table == "table" && starts_with(name, "boxlab"))
        out.insert(line);
    }
  } catch (const std::exception&) {
    // No nf_tables, or not root: nothing a lab could have left there either.
  }
  return out;
}

// The table ip boxlab is shared (the machine's default network, boxlab0, keeps its rules there
// between checks), so a check's leak there is a new owner of rules, not a new table.
std::set<std::string> find_nft_owners() {
  std::set<std::string> out;
  try {
    boxlab::net::NatTable nat;
    if (nat.exists())
      for (const auto& rule : nat.rules()) out.insert(rule.owner);
  } catch (const std::exception&) {
  }
  return out;
}

void walk_cgroups(const stdfs::path& dir, int depth, std::set<std::string>& out) {
  if (depth < 0) return;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(dir, ec)) {
    if (!e.is_directory(ec) || e.is_symlink(ec)) continue;
    if (starts_with(e.path().filename().string(), "boxlab")) out.insert(e.path().string());
    walk_cgroups(e.path(), depth - 1, out);
  }
}

template <typename Set>
void add_new(const Set& before, const Set& after, const std::string& kind, std::vector<Leak>& out) {
  for (const auto& item : after)
    if (!before.count(item)) out.push_back({kind, item, item});
}

bool is_alive(pid_t pid) {
  auto p = read_process(pid);
  return p && p->state != 'Z';
}

std::vector<ProcessInfo> matching_processes(const std::vector<pid_t>& groups, const std::string& marker) {
  std::vector<ProcessInfo> out;
  pid_t self = static_cast<pid_t>(std::stoi(stdfs::read_symlink("/proc/self").string()));
  for (auto& p : list_processes()) {
    if (p.pid == self || p.state == 'Z') continue;
    bool in_group = std::find(groups.begin(), groups.end(), p.pgid) != groups.end();
    bool mentions = !marker.empty() && p.cmdline.find(marker) != std::string::npos;
    if (in_group || mentions) out.push_back(std::move(p));
  }
  return out;
}

bool may_unmount(const std::string& line, const std::string& mount_point, const stdfs::path& own_dir) {
  if (!own_dir.empty() && starts_with(mount_point, own_dir.string())) return true;
  for (const char* prefix : {"/proc", "/dev", "/sys", "/run/netns"})
    if (mount_point == prefix || starts_with(mount_point, std::string(prefix) + "/")) return true;
  return line.find(" - overlay ") != std::string::npos || line.find("boxlab") != std::string::npos;
}

std::string run_quietly(const std::vector<std::string>& argv) {
  try {
    boxlab::sys::SpawnOptions options;
    options.args = argv;
    auto status = boxlab::sys::spawn(options).wait();
    return status.describe();
  } catch (const std::exception& e) {
    return e.what();
  }
}

std::string kill_cgroup(const std::string& dir) {
  std::ifstream procs(dir + "/cgroup.procs");
  for (pid_t pid; procs >> pid;) boxlab::sys::kill(pid, SIGKILL);
  for (int i = 0; i < 50; ++i) {
    try {
      boxlab::sys::rmdir(dir);
      return "removed cgroup " + dir;
    } catch (const boxlab::Error& e) {
      if (e.errno_value() != EBUSY) return e.what();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return "could not remove cgroup " + dir + ": still busy";
}

std::string kill_process(const std::string& pid_text) {
  pid_t pid = std::stoi(pid_text);
  boxlab::sys::kill(pid, SIGKILL);
  for (int i = 0; i < 50 && is_alive(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return "killed process " + pid_text;
}

}  // namespace

std::string mount_point_of(const std::string& line) {
  std::istringstream in(line);
  std::string field;
  for (int i = 0; i < 5 && in >> field; ++i) {
  }
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && std::isdigit(static_cast<unsigned char>(field[i + 1]))) {
      out += static_cast<char>(std::stoi(field.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

std::set<std::string> read_mountinfo(const stdfs::path& file) {
  std::set<std::string> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.insert(line);
  return out;
}

std::set<std::string> find_boxlab_cgroups(const stdfs::path& root, int max_depth) {
  std::set<std::string> out;
  walk_cgroups(root, max_depth, out);
  return out;
}

std::set<std::string> find_links(const stdfs::path& class_net) {
  std::set<std::string> out;
  for (const auto& name : names_in(class_net))
    if (starts_with(name, "bxl") || starts_with(name, "boxlab")) out.insert(name);
  return out;
}

Snapshot take_snapshot() {
  Snapshot s;
  s.mounts = read_mountinfo("/proc/self/mountinfo");
  s.cgroups = find_boxlab_cgroups("/sys/fs/cgroup");
  s.links = find_links("/sys/class/net");
  s.netns = names_in("/run/netns");
  s.nft_tables = find_nft_tables();
  s.nft_owners = find_nft_owners();
  return s;
}

std::vector<Leak> compare(const Snapshot& before, const Snapshot& after) {
  std::vector<Leak> out;
  for (const auto& line : after.mounts)
    if (!before.mounts.count(line)) out.push_back({"mount", mount_point_of(line), line});
  for (const auto& line : before.mounts)
    if (!after.mounts.count(line)) out.push_back({"mount-removed", mount_point_of(line), line});
  add_new(before.cgroups, after.cgroups, "cgroup", out);
  add_new(before.links, after.links, "link", out);
  add_new(before.netns, after.netns, "netns", out);
  add_new(before.nft_tables, after.nft_tables, "nft", out);
  // Rules in a table that is itself new go with the table.
  if (after.nft_tables.size() == before.nft_tables.size()) add_new(before.nft_owners, after.nft_owners, "nft-rules", out);
  return out;
}

std::vector<Leak> leftover_processes(const std::vector<pid_t>& groups, const std::string& marker) {
  std::vector<ProcessInfo> found;
  // A container killed with its runtime (PR_SET_PDEATHSIG) takes a moment to die: look again.
  for (int i = 0; i < 25; ++i) {
    found = matching_processes(groups, marker);
    if (found.empty()) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::vector<Leak> out;
  for (const auto& p : found)
    out.push_back({"process", std::to_string(p.pid) + " (" + p.comm + ")", std::to_string(p.pid)});
  return out;
}

std::string describe(const std::vector<Leak>& leaks) {
  std::string out;
  for (const auto& l : leaks) {
    std::string what = l.kind == "mount-removed" ? "host mount " + l.name + " was removed or changed"
                                                 : l.kind + " " + l.name;
    out += (out.empty() ? "" : ", ") + what;
  }
  return out;
}

std::string clean_up(const Leak& leak, const stdfs::path& own_dir) {
  try {
    if (leak.kind == "mount") {
      if (!may_unmount(leak.key, leak.name, own_dir)) return "left mount " + leak.name + " in place (not the check's)";
      boxlab::sys::umount2(leak.name, MNT_DETACH);
      return "unmounted " + leak.name;
    }
    if (leak.kind == "cgroup") return kill_cgroup(leak.key);
    if (leak.kind == "link") return "ip link delete " + leak.name + ": " + run_quietly({"ip", "link", "delete", leak.name});
    if (leak.kind == "netns") {
      std::string path = "/run/netns/" + leak.name;
      boxlab::sys::umount2(path, MNT_DETACH);
      boxlab::sys::unlink(path);
      return "removed netns " + leak.name;
    }
    if (leak.kind == "nft") {
      boxlab::net::Nftables nft;
      nft.run("delete " + leak.key);
      return "deleted nft " + leak.key;
    }
    if (leak.kind == "nft-rules") {
      boxlab::net::NatTable nat;
      size_t removed = nat.exists() ? nat.remove_rules_of(leak.key) : 0;
      return "deleted " + std::to_string(removed) + " nft rules of " + leak.key;
    }
    if (leak.kind == "process") return kill_process(leak.key);
    return "cannot undo " + leak.kind + " " + leak.name;
  } catch (const std::exception& e) {
    return "clean-up of " + leak.kind + " " + leak.name + " failed: " + e.what();
  }
}

}  // namespace checker
