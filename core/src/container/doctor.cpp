// Doctor: a preflight of the kernel features the course uses.
//
// Each check looks at the kernel itself (/proc, /sys, statfs), not at a package list, and when
// it fails it says what to do: a student should never meet a missing feature first as an
// obscure EINVAL in lab 05. Nothing here changes the machine.
//
// Interface: detect_cgroup_layout, run_doctor
#include "boxlab/container/doctor.hpp"

#include <unistd.h>

#include <sstream>

#include "boxlab/net/nftables.hpp"
#include "boxlab/ns/namespace.hpp"
#include "boxlab/cgroup/layout.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::container {
namespace {

std::string read_or_empty(const std::string& path) {
  try {
    return sys::read_file(path);
  } catch (const Error&) {
    return {};
  }
}

bool kernel_knows_filesystem(const std::string& type) {
  std::istringstream in(read_or_empty("/proc/filesystems"));
  for (std::string line; std::getline(in, line);)
    if (line.size() >= type.size() && line.substr(line.size() - type.size()) == type) return true;
  return false;
}

bool module_available(const std::string& module) {
  std::string dir = "/lib/modules/" + sys::kernel_release();
  std::string dep = read_or_empty(dir + "/modules.dep");
  std::string builtin = read_or_empty(dir + "/modules.builtin");
  return dep.find("/" + module + ".ko") != std::string::npos ||
         builtin.find("/" + module + ".ko") != std::string::npos;
}

DoctorCheck check_root() {
  bool ok = ::geteuid() == 0;
  return {"root", ok, ok ? "running as root" : "running as uid " + std::to_string(::geteuid()),
          "run it with sudo: namespaces, mounts and cgroups need root"};
}

DoctorCheck check_kernel() {
  std::string release = sys::kernel_release();
  int major = 0, minor = 0;
  std::sscanf(release.c_str(), "%d.%d", &major, &minor);
  bool ok = major > 5 || (major == 5 && minor >= 10);
  return {"kernel", ok, "Linux " + release,
          "boxlab needs Linux 5.10 or newer (clone3, pidfd, time namespaces); use Debian 12 or Ubuntu 24.04"};
}

DoctorCheck check_namespaces() {
  std::string found, missing;
  auto trim = [](std::string s) { return s.empty() ? s : s.substr(0, s.size() - 1); };
  for (ns::Kind kind : ns::all_kinds()) {
    bool present = sys::exists("/proc/self/ns/" + std::string(ns::name(kind)));
    (present ? found : missing) += std::string(ns::name(kind)) + " ";
  }
  std::string max_user = read_or_empty("/proc/sys/user/max_user_namespaces");
  bool user_enabled = !max_user.empty() && std::stol(max_user) > 0;
  DoctorCheck c{"namespaces", missing.empty() && user_enabled, "available: " + trim(found), ""};
  if (!missing.empty()) c.fix = "the kernel lacks namespaces: " + missing + "(CONFIG_*_NS); use a distribution kernel";
  else if (!user_enabled) c.fix = "user namespaces are disabled: sysctl -w user.max_user_namespaces=15000";
  return c;
}

// The controllers boxlab can use: v2 those of the runtime's own cgroup, v1 the mounted hierarchies.
std::string cgroup_controllers(const cgroup::Layout& layout) {
  if (layout.version == cgroup::Version::v2) {
    std::string own = layout.unified_mount + (layout.own_v2_path == "/" ? "" : layout.own_v2_path);
    return read_or_empty(own + "/cgroup.controllers");
  }
  std::string out;
  for (const auto& [controller, mount] : layout.v1_mounts) out += controller + " ";
  return out;
}

DoctorCheck check_cgroups() {
  std::string layout = detect_cgroup_layout();
  std::string controllers = layout == "none" ? "" : cgroup_controllers(cgroup::detect_layout());
  while (!controllers.empty() && std::isspace(static_cast<unsigned char>(controllers.back()))) controllers.pop_back();
  bool ok = layout != "none";
  for (const char* needed : {"memory", "pids", "cpu"})
    if (controllers.find(needed) == std::string::npos) ok = false;
  return {"cgroups", ok, "cgroup " + layout + ": " + controllers,
          "mount cgroup2 on /sys/fs/cgroup (or v1 hierarchies) with the memory, cpu and pids controllers; "
          "on v2 enable them: echo '+memory +cpu +pids' > /sys/fs/cgroup/cgroup.subtree_control"};
}

DoctorCheck check_filesystem_or_module(const std::string& name, const std::string& fs,
                                       const std::string& module, const std::string& fix) {
  bool loaded = kernel_knows_filesystem(fs);
  bool ok = loaded || module_available(module);
  return {name, ok, loaded ? "loaded" : (ok ? "available as module " + module : "not found"), fix};
}

DoctorCheck check_nftables() {
  // Ask the kernel itself: nf_tables may be built in, with no module file and no /sys/module.
  try {
    net::Nftables().run("list tables");
    return {"nf_tables", true, "the kernel answers nf_tables requests", ""};
  } catch (const Error& e) {
    bool not_root = ::geteuid() != 0;
    return {"nf_tables", false, e.what(),
            not_root ? "run it as root: nf_tables needs CAP_NET_ADMIN"
                     : "install nftables and load the module: modprobe nf_tables (CONFIG_NF_TABLES)"};
  }
}

DoctorCheck check_busybox(const std::string& dir) {
  std::string fix = "build it: scripts/make-busybox-image.sh " + dir + " (needs the busybox-static package)";
  try {
    bool rootfs = sys::exists(dir + "/rootfs/bin/busybox");
    bool oci = sys::exists(dir + "/oci/index.json");
    return {"busybox-image", rootfs && oci, dir + (rootfs && oci ? ": rootfs and OCI layout present" : ": missing"), fix};
  } catch (const Error& e) {
    return {"busybox-image", false, e.what(), "make it readable (chmod 755 " + dir + ") or " + fix};
  }
}

}  // namespace

std::string detect_cgroup_layout() {
  try {
    return cgroup::detect_layout().description;
  } catch (const Error&) {
    return "none";
  }
}

std::vector<DoctorCheck> run_doctor(const std::string& busybox_dir) {
  std::vector<DoctorCheck> checks{
      check_root(),
      check_kernel(),
      check_namespaces(),
      check_cgroups(),
      check_filesystem_or_module("overlayfs", "overlay", "overlay",
                                 "load it: modprobe overlay (CONFIG_OVERLAY_FS)"),
      check_nftables(),
      check_busybox(busybox_dir),
  };
  for (auto& c : checks)
    if (c.ok) c.fix.clear();
  return checks;
}

}  // namespace boxlab::container
