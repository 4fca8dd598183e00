// The cgroup file system inside a container.
//
// A process in a cgroup namespace that mounts cgroupfs sees the hierarchy from its namespace's
// root down (cgroup_namespaces(7)), so the container finds its own limits at the top of
// /sys/fs/cgroup and nothing of its siblings. Which hierarchies exist is read from
// /proc/self/cgroup: "0::/" alone is v2; each "N:controllers:/" line is a v1 hierarchy, mounted
// with its controllers as the options (named hierarchies, "name=systemd", keep their name).
// Everything is read-only: a container reads its limits, it does not change them.
//
// Interface: mount_cgroupfs
#include "boxlab/cgroup/mount.hpp"

#include <sys/mount.h>

#include <sstream>

#include "boxlab/cgroup/layout.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::cgroup {
namespace {

constexpr unsigned long kReadOnly = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;

// "cpu,cpuacct" -> directory "cpu,cpuacct"; "name=systemd" -> "systemd".
std::string directory_for(const std::string& controllers) {
  return controllers.rfind("name=", 0) == 0 ? controllers.substr(5) : controllers;
}

void mount_v1_hierarchies(const std::string& target, const std::string& proc_cgroup) {
  sys::mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
  std::istringstream in(proc_cgroup);
  for (std::string line; std::getline(in, line);) {
    size_t first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    if (controllers.empty()) continue;  // the v2 line of a hybrid system: no controllers there
    std::string dir = target + "/" + directory_for(controllers);
    sys::mkdir(dir, 0555, true);
    sys::mount("cgroup", dir, "cgroup", kReadOnly, controllers);
    // Co-mounted controllers get a link each (cpu -> cpu,cpuacct), as the host and Docker have.
    if (controllers.find(',') != std::string::npos) {
      std::istringstream names(controllers);
      for (std::string name; std::getline(names, name, ',');) sys::symlink(directory_for(controllers), target + "/" + name);
    }
  }
  sys::mount("", target, "", MS_REMOUNT | MS_BIND | kReadOnly);
}

}  // namespace

void mount_cgroupfs(const std::string& target) {
  std::string proc_cgroup = sys::read_file("/proc/self/cgroup");
  auto hierarchies = parse_proc_cgroup(proc_cgroup);
  bool only_unified = hierarchies.size() == 1 && hierarchies.count("");
  with_context("mount cgroup on " + target, [&] {
    if (only_unified) sys::mount("cgroup2", target, "cgroup2", kReadOnly);
    else mount_v1_hierarchies(target, proc_cgroup);
  });
}

}  // namespace boxlab::cgroup
