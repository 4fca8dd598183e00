// Layout: finding the cgroup hierarchies and the runtime's own place in them.
//
// /proc/self/mountinfo lists every cgroup mount with its super options naming the controllers
// ("rw,memory" or "rw,cpu,cpuacct"); /proc/self/cgroup gives, per hierarchy, the path of the
// cgroup the process is in: "4:memory:/user.slice" for v1, "0::/user.slice" for v2.
// The runtime creates containers below those paths and never moves any process out of them.
//
// Interface: parse_proc_cgroup, parse_cgroup_mounts, detect_layout
#include "boxlab/cgroup/layout.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::cgroup {
namespace {

const std::set<std::string> kV1Controllers{"blkio", "cpu",     "cpuacct",  "cpuset", "devices", "freezer", "hugetlb",
                                           "memory", "net_cls", "net_prio", "perf_event", "pids", "rdma", "misc"};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, sep);) out.push_back(item);
  return out;
}

}  // namespace

std::map<std::string, std::string> parse_proc_cgroup(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    size_t first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (controllers.empty()) out[""] = path;
    for (const auto& c : split(controllers, ',')) out[c] = path;
  }
  return out;
}

void parse_cgroup_mounts(const std::string& mountinfo, Layout& layout) {
  std::istringstream in(mountinfo);
  for (std::string line; std::getline(in, line);) {
    // proc(5): ... mount-point ... - fstype source super-options
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    size_t dash = std::find(f.begin(), f.end(), "-") - f.begin();
    if (f.size() < 5 || dash + 3 >= f.size()) continue;
    const std::string& mount_point = f[4];
    const std::string& fstype = f[dash + 1];
    if (fstype == "cgroup2" && layout.unified_mount.empty()) layout.unified_mount = mount_point;
    if (fstype != "cgroup") continue;
    // The super options name the hierarchy's controllers among flags such as rw or xattr.
    for (const auto& option : split(f[dash + 3], ','))
      if (kV1Controllers.count(option) && !layout.v1_mounts.count(option)) layout.v1_mounts[option] = mount_point;
  }
}

Layout detect_layout() {
  Layout layout;
  parse_cgroup_mounts(sys::read_file("/proc/self/mountinfo"), layout);
  auto own = parse_proc_cgroup(sys::read_file("/proc/self/cgroup"));
  bool has_v1_controllers = layout.v1_mounts.count("memory") || layout.v1_mounts.count("pids");
  if (!has_v1_controllers && !layout.unified_mount.empty()) {
    layout.version = Version::v2;
    layout.description = "v2";
    layout.own_v2_path = own.count("") ? own[""] : "/";
    return layout;
  }
  if (!has_v1_controllers) throw Error("no cgroup file system is mounted; mount cgroup2 on /sys/fs/cgroup");
  layout.version = Version::v1;
  layout.description = layout.unified_mount.empty() ? "v1" : "hybrid";
  for (const auto& [controller, mount] : layout.v1_mounts)
    layout.own_v1_paths[controller] = own.count(controller) ? own[controller] : "/";
  return layout;
}

}  // namespace boxlab::cgroup
