// Namespaces: the kinds, their clone flags, and how to see which ones a process is in.
//
// Linux has eight namespace kinds (namespaces(7)). A process gets new ones when it is created
// with clone3(2) and CLONE_NEW* flags, moves into a fresh one with unshare(2), or joins an
// existing one with setns(2) on a descriptor of /proc/PID/ns/NAME. Reading those links is how
// `lab02 ns` and the checker prove isolation: equal inode numbers mean a shared namespace.
//
// Interface: all_kinds, name, oci_name, parse_kind, parse_kinds, clone_flag, clone_flags,
//   inode, enter, compare
#include "boxlab/ns/namespace.hpp"

#include <fcntl.h>
#include <sched.h>

#include <linux/sched.h>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::ns {
namespace {

struct KindInfo {
  Kind kind;
  std::string_view name;      // /proc/PID/ns/<name>
  std::string_view oci_name;  // config-linux.md "namespaces"
  uint64_t clone_flag;
};

constexpr KindInfo kKinds[] = {
    {Kind::cgroup, "cgroup", "cgroup", CLONE_NEWCGROUP},
    {Kind::ipc, "ipc", "ipc", CLONE_NEWIPC},
    {Kind::mnt, "mnt", "mount", CLONE_NEWNS},
    {Kind::net, "net", "network", CLONE_NEWNET},
    {Kind::pid, "pid", "pid", CLONE_NEWPID},
    {Kind::time, "time", "time", CLONE_NEWTIME},
    {Kind::user, "user", "user", CLONE_NEWUSER},
    {Kind::uts, "uts", "uts", CLONE_NEWUTS},
};

const KindInfo& info(Kind kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return k;
  throw Error("namespace kind " + std::to_string(static_cast<int>(kind)) + " is not in the table");
}

std::string proc_path(pid_t pid, Kind kind) {
  return "/proc/" + (pid == 0 ? std::string("self") : std::to_string(pid)) + "/ns/" +
         std::string(name(kind));
}

}  // namespace

const std::array<Kind, 8>& all_kinds() {
  static const std::array<Kind, 8> kinds{Kind::cgroup, Kind::ipc, Kind::mnt,  Kind::net,
                                         Kind::pid,    Kind::time, Kind::user, Kind::uts};
  return kinds;
}

std::string_view name(Kind kind) { return info(kind).name; }

std::string_view oci_name(Kind kind) { return info(kind).oci_name; }

Kind parse_kind(std::string_view text) {
  for (const auto& k : kKinds)
    if (text == k.name || text == k.oci_name) return k.kind;
  throw Error("unknown namespace '" + std::string(text) +
              "' (known: cgroup, ipc, mnt, net, pid, time, user, uts)");
}

std::vector<Kind> parse_kinds(std::string_view list) {
  std::vector<Kind> kinds;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    if (!item.empty()) kinds.push_back(parse_kind(item));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return kinds;
}

uint64_t clone_flag(Kind kind) { return info(kind).clone_flag; }

uint64_t clone_flags(const std::vector<Kind>& kinds) {
  // LAB 02 BEGIN: OR together the CLONE_NEW* flag of each namespace kind
  uint64_t flags = 0;
  for (Kind kind : kinds) flags |= clone_flag(kind);
  return flags;
  // LAB 02 END
}

ino_t inode(pid_t pid, Kind kind) {
  // LAB 02 BEGIN: the inode number of /proc/PID/ns/NAME identifies the namespace
  return sys::stat(proc_path(pid, kind)).st_ino;
  // LAB 02 END
}

void enter(pid_t pid, Kind kind) {
  sys::UniqueFd fd = sys::open(proc_path(pid, kind), O_RDONLY);
  with_context("enter " + std::string(name(kind)) + " namespace of pid " + std::to_string(pid),
               [&] { sys::setns(fd.get(), static_cast<int>(clone_flag(kind))); });
}

std::vector<Comparison> compare(pid_t pid, pid_t other) {
  if (!sys::exists("/proc/" + std::to_string(pid)))
    throw Error("no process with pid " + std::to_string(pid));
  std::vector<Comparison> rows;
  for (Kind kind : all_kinds()) {
    Comparison row{kind};
    // A kernel without a kind (e.g. time before 5.6) has no link: leave 0 rather than fail.
    if (sys::exists(proc_path(pid, kind))) row.process = inode(pid, kind);
    if (sys::exists(proc_path(other, kind))) row.other = inode(other, kind);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace boxlab::ns
