// Helpers for the root tests of cgroups against the real kernel, on v1, hybrid or v2 alike:
// which controllers this machine offers, the container's directory for a controller, unique
// ids (tests run in parallel with other root tests, which use boxlab/ too), a private parent
// cgroup for tests that must own boxlab/, and waiting for the kernel to catch up.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "boxlab/cgroup/cgroup.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "test_support.hpp"

namespace cgtest {

namespace cgroup = boxlab::cgroup;
namespace stdfs = std::filesystem;

/// A file's text without trailing blanks and newlines.
inline std::string value(const std::string& dir, const std::string& file) {
  std::string text = boxlab::sys::read_file(dir + "/" + file);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

inline std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/// The runtime's own v2 cgroup directory.
inline std::string own_v2(const cgroup::Layout& layout) {
  return layout.unified_mount + (layout.own_v2_path == "/" ? "" : layout.own_v2_path);
}

/// The v1 hierarchy that holds controller @p v2_name (io is blkio there).
inline std::string v1_name(const std::string& v2_name) { return v2_name == "io" ? "blkio" : v2_name; }

/// Whether controller @p name (v2 spelling) can be used here: a mounted v1 hierarchy, or
/// listed in the runtime's v2 cgroup.controllers.
inline bool available(const cgroup::Layout& layout, const std::string& name) {
  if (layout.version == cgroup::Version::v1) return layout.v1_mounts.count(v1_name(name)) > 0;
  auto offered = words(boxlab::sys::read_file(own_v2(layout) + "/cgroup.controllers"));
  return std::find(offered.begin(), offered.end(), name) != offered.end();
}

/// The directory among @p dirs that holds controller @p name (v2: the one directory).
inline std::string dir_for(const cgroup::Layout& layout, const std::vector<std::string>& dirs, const std::string& name) {
  if (layout.version == cgroup::Version::v2) return dirs.at(0);
  std::string mount = layout.v1_mounts.at(v1_name(name)) + "/";
  for (const auto& d : dirs)
    if (d.rfind(mount, 0) == 0) return d;
  throw std::runtime_error("no directory for " + name);
}

/// A unique container id, 64 hex digits starting with @p token (so a find can spot it).
inline std::string make_id(const std::string& token, unsigned n) {
  char counter[17];
  std::snprintf(counter, sizeof counter, "%016x", n);
  std::string id = token + counter;
  return id + std::string(64 - id.size(), '0');
}

/// 16 random hex digits: the prefix of every id a test makes.
inline std::string make_token() { return boxlab::container::new_container_id().substr(0, 16); }

/// Directories under /sys/fs/cgroup whose name starts with @p token (what `find` would list).
inline std::vector<std::string> cgroup_dirs_named(const std::string& token) {
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator("/sys/fs/cgroup", stdfs::directory_options::skip_permission_denied, ec);
       it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_directory(ec) && !it->is_symlink(ec) && it->path().filename().string().rfind(token, 0) == 0)
      found.push_back(it->path().string());
  }
  return found;
}

/// Which of @p dirs still exist.
inline std::vector<std::string> existing(const std::vector<std::string>& dirs) {
  std::vector<std::string> out;
  for (const auto& d : dirs)
    if (stdfs::exists(d)) out.push_back(d);
  return out;
}

/// Poll @p done every 10 ms for up to @p timeout.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

/// The record directories under @p containers_dir (not its .lock file).
inline std::vector<std::string> records(const stdfs::path& containers_dir) {
  std::vector<std::string> out;
  if (!stdfs::exists(containers_dir)) return out;
  for (const auto& e : stdfs::directory_iterator(containers_dir))
    if (e.is_directory()) out.push_back(e.path().filename());
  return out;
}

/**
 * A cgroup of the test's own below the runtime's, standing in for the runtime's cgroup: its
 * boxlab/ belongs to this test alone (other root tests running at the same time use the real
 * one), so a test can check that boxlab/ goes away with its last container.
 */
class PrivateParent {
 public:
  PrivateParent(const cgroup::Layout& real, const std::string& name) : layout_(real) {
    if (real.version == cgroup::Version::v2) {
      // Where Cgroup::create puts boxlab/: the runtime's cgroup or, as that holds processes
      // (the no-internal-processes rule), its nearest ancestor that holds none.
      std::string path = real.own_v2_path;
      while (path.size() > 1 && !value(real.unified_mount + path, "cgroup.procs").empty())
        path = path.substr(0, path.rfind('/'));
      if (path.empty()) path = "/";
      std::string own = real.unified_mount + (path == "/" ? "" : path);
      // What Cgroup::create does there: pass the controllers down.
      auto offered = words(boxlab::sys::read_file(own + "/cgroup.controllers"));
      auto enabled = words(boxlab::sys::read_file(own + "/cgroup.subtree_control"));
      std::string add;
      for (const auto& c : cgroup::kControllers)
        if (std::count(offered.begin(), offered.end(), c) && !std::count(enabled.begin(), enabled.end(), c))
          add += "+" + c + " ";
      if (!add.empty()) boxlab::sys::write_file(own + "/cgroup.subtree_control", add);
      make(own + "/" + name);
      layout_.own_v2_path = (path == "/" ? "" : path) + "/" + name;
      return;
    }
    for (const auto& [controller, mount] : real.v1_mounts) {
      std::string own_path = real.own_v1_paths.at(controller);
      std::string own = mount + (own_path == "/" ? "" : own_path);
      make(own + "/" + name);
      if (controller == "cpuset")
        for (const char* f : {"cpuset.cpus", "cpuset.mems"})
          if (value(own + "/" + name, f).empty()) boxlab::sys::write_file(own + "/" + name + "/" + f, value(own, f));
      layout_.own_v1_paths[controller] = (own_path == "/" ? "" : own_path) + "/" + name;
    }
  }
  ~PrivateParent() {
    for (auto it = made_.rbegin(); it != made_.rend(); ++it) ::rmdir(it->c_str());
  }
  PrivateParent(const PrivateParent&) = delete;
  PrivateParent& operator=(const PrivateParent&) = delete;

  /// The layout with the runtime's cgroup moved to the private parent.
  const cgroup::Layout& layout() const { return layout_; }
  /// The private parent's directories (one per hierarchy on v1).
  const std::vector<std::string>& directories() const { return made_; }

 private:
  void make(const std::string& dir) {
    if (std::find(made_.begin(), made_.end(), dir) != made_.end()) return;
    boxlab::sys::mkdir(dir, 0755, true);
    made_.push_back(dir);
  }
  cgroup::Layout layout_;
  std::vector<std::string> made_;
};

}  // namespace cgtest
