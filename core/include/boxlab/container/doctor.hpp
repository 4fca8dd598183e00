/**
 * @file doctor.hpp
 * @brief Preflight: does this machine have what the labs need? Each failure says how to fix it.
 */
#pragma once

#include <string>
#include <vector>

namespace boxlab::container {

/// The outcome of one preflight check.
struct DoctorCheck {
  std::string name;    ///< short id, e.g. "namespaces"
  bool ok = false;     ///< passed
  std::string detail;  ///< what was found ("cgroup v1 (hybrid): memory cpu pids ...")
  std::string fix;     ///< how to fix it when it failed; empty when ok
};

/// Which cgroup layout the machine uses: "v2", "v1", "hybrid" (v1 plus a cgroup2 mount), or
/// "none" (read from the filesystem types under /sys/fs/cgroup, see cgroups(7)).
std::string detect_cgroup_layout();

/**
 * @brief Run every preflight check: root, kernel >= 5.10, all eight namespaces, cgroup layout
 * and controllers, overlayfs, nf_tables, and the busybox image in @p busybox_dir.
 */
std::vector<DoctorCheck> run_doctor(const std::string& busybox_dir);

}  // namespace boxlab::container
