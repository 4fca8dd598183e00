// A fake cgroup file system in a temporary directory, as youki's libcgroups tests use one: the
// directories and files the kernel would show, so that what the v1 and v2 backends write can be
// read back without root.
//
// The kernel creates a cgroup's files when its directory is made; a temporary directory does
// not, and the backends open files without O_CREAT (as they must on cgroupfs). So a test
// creates the container's directories and files up front (expect_container), and
// Cgroup::create finds them as mkdir(2) on cgroupfs would leave them. Two more differences:
//  - a write here does not replace the file (no O_TRUNC, unlike the kernel's one-value files),
//    so the files start empty and each test writes each file once;
//  - rmdir(2) fails on a non-empty directory, so a Cgroup is release()d before it is destroyed.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "boxlab/cgroup/layout.hpp"
#include "test_support.hpp"

namespace fake {

namespace stdfs = std::filesystem;

/// Create @p file (and its directories) holding @p text.
inline void put(const stdfs::path& file, const std::string& text = "") {
  stdfs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

/// Everything in @p file; throws when it does not exist.
inline std::string raw(const stdfs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("fake cgroupfs: no file " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// What was written to @p file, without trailing blanks and newlines.
inline std::string written(const stdfs::path& file) {
  std::string text = raw(file);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

/// The files of a v2 cgroup that boxlab writes or reads (interface files of cgroup-v2.rst).
inline const std::vector<std::string> kV2Files{"cgroup.controllers", "cgroup.procs", "cgroup.freeze", "memory.max", "memory.swap.max",
                                               "memory.low",   "cpu.max",       "cpu.weight", "cpuset.cpus",
                                               "cpuset.mems",  "pids.max",      "io.max"};

/// A cgroup v2 tree: unified_mount=<tmp>, the runtime in /runtime.
struct V2 {
  test::TempDir tmp;
  boxlab::cgroup::Layout layout;
  std::string controllers;

  explicit V2(std::string available = "cpuset cpu io memory hugetlb pids rdma misc")
      : controllers(std::move(available)) {
    layout.version = boxlab::cgroup::Version::v2;
    layout.description = "v2";
    layout.unified_mount = tmp.path().string();
    layout.own_v2_path = "/runtime";
    put(own() / "cgroup.controllers", controllers + "\n");
    put(own() / "cgroup.subtree_control");
    put(own() / "cgroup.procs");
  }
  stdfs::path own() const { return tmp.path() / "runtime"; }
  stdfs::path boxlab() const { return own() / "boxlab"; }
  stdfs::path leaf(const std::string& id) const { return boxlab() / id; }

  /// What mkdir of boxlab/ and boxlab/<id> would make (the leaf's files: @p files).
  void expect_container(const std::string& id, const std::vector<std::string>& files = kV2Files) const {
    if (!stdfs::exists(boxlab())) {
      put(boxlab() / "cgroup.controllers", controllers + "\n");
      put(boxlab() / "cgroup.subtree_control");
      put(boxlab() / "cgroup.procs");
    }
    stdfs::create_directories(leaf(id));
    for (const auto& f : files) put(leaf(id) / f);
  }
};

/// The v1 hierarchies boxlab uses, each mounted alone as on Debian's hybrid layout.
inline const std::vector<std::string> kV1Hierarchies{"memory", "cpu", "cpuacct", "cpuset", "pids", "blkio", "freezer"};

/// The files of a v1 cgroup that boxlab writes or reads, per hierarchy.
inline std::vector<std::string> v1_files(const std::string& hierarchy) {
  std::vector<std::string> files{"cgroup.procs", "tasks"};
  if (hierarchy == "memory")
    for (const char* f : {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes"})
      files.push_back(f);
  if (hierarchy == "cpu")
    for (const char* f : {"cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.shares"}) files.push_back(f);
  if (hierarchy == "cpuset")
    for (const char* f : {"cpuset.cpus", "cpuset.mems"}) files.push_back(f);
  if (hierarchy == "pids") files.push_back("pids.max");
  if (hierarchy == "blkio")
    for (const char* f : {"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device"}) files.push_back(f);
  if (hierarchy == "freezer") files.push_back("freezer.state");
  return files;
}

/// cgroup v1 hierarchies <tmp>/<name>; the runtime in /process_api/abc for memory (as on the
/// machine these tests were written on), at the root elsewhere.
struct V1 {
  test::TempDir tmp;
  boxlab::cgroup::Layout layout;

  explicit V1(const std::vector<std::string>& hierarchies = kV1Hierarchies, std::string parent_cpus = "0-1") {
    layout.version = boxlab::cgroup::Version::v1;
    layout.description = "v1";
    for (const auto& name : hierarchies) {
      layout.v1_mounts[name] = (tmp.path() / name).string();
      layout.own_v1_paths[name] = name == "memory" ? "/process_api/abc" : "/";
      stdfs::create_directories(base(name));
    }
    if (layout.v1_mounts.count("cpuset")) {
      put(base("cpuset") / "cpuset.cpus", parent_cpus + "\n");
      put(base("cpuset") / "cpuset.mems", "0\n");
    }
  }
  /// The runtime's own cgroup in hierarchy @p name.
  stdfs::path base(const std::string& name) const {
    std::string own = layout.own_v1_paths.at(name);
    return stdfs::path(layout.v1_mounts.at(name) + (own == "/" ? "" : own));
  }
  stdfs::path boxlab(const std::string& name) const { return base(name) / "boxlab"; }
  stdfs::path dir(const std::string& name, const std::string& id) const { return boxlab(name) / id; }

  /// What mkdir of boxlab/ and boxlab/<id> would make in every hierarchy (a new cpuset is empty).
  void expect_container(const std::string& id, const std::vector<std::string>& skip = {}) const {
    for (const auto& [name, mount] : layout.v1_mounts) {
      for (const auto& f : v1_files(name)) {
        if (std::find(skip.begin(), skip.end(), f) != skip.end()) continue;
        if (!stdfs::exists(boxlab(name) / f)) put(boxlab(name) / f);
        put(dir(name, id) / f);
      }
    }
  }
};

}  // namespace fake
