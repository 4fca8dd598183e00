/**
 * @file cgroup.hpp
 * @brief A container's control group: create it with limits, put the process in, read its
 * usage, freeze or kill everything in it, and remove it.
 *
 * One interface over both kernel interfaces: v1 (one directory per controller hierarchy) and
 * v2 (one directory in the unified tree). The cgroup is created below the runtime's own
 * cgroup, as boxlab/&lt;id&gt; (on v2, below its nearest ancestor without processes: cgroups(7),
 * "no internal processes"), and never moves any process but the container's.
 */
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "boxlab/cgroup/layout.hpp"
#include "boxlab/cgroup/limits.hpp"

namespace boxlab::cgroup {

/// What `docker stats` shows, read from the cgroup's files.
struct Stats {
  uint64_t cpu_usage_ns = 0;               ///< CPU time used by all its processes
  uint64_t memory_usage = 0;               ///< bytes in use, page cache that can be dropped excluded
  std::optional<uint64_t> memory_limit;    ///< the memory limit, if any
  uint64_t pids = 0;                       ///< processes and threads in it
  std::optional<uint64_t> pids_limit;      ///< the pids limit, if any
  uint64_t oom_kills = 0;                  ///< processes the OOM killer killed in it
};

class Backend;

/**
 * @brief Owns a created cgroup (one directory per v1 hierarchy, or one v2 directory).
 *
 * Destroying it kills whatever still runs inside and removes the directories, unless
 * release() was called (the container outlives this object; its state records the paths).
 */
class Cgroup {
 public:
  /// Create boxlab/@p id below the runtime's own cgroup and write @p limits. Throws a
  /// boxlab::Error that says which controller or file failed and how to fix it; on failure
  /// nothing is left behind.
  static Cgroup create(const Layout& layout, const std::string& id, const Limits& limits);
  /// Take ownership of an existing cgroup again (e.g. from a state file), by its directories.
  static Cgroup adopt(const Layout& layout, std::vector<std::string> directories);

  /// Take over @p other's cgroup; @p other then owns nothing.
  Cgroup(Cgroup&&) noexcept;
  /// Remove the cgroup this one owns (if any), then take over @p other's.
  Cgroup& operator=(Cgroup&&) noexcept;
  ~Cgroup();

  /// Move process @p pid into the cgroup (all hierarchies on v1).
  void add_process(pid_t pid);
  /// The PIDs in the cgroup now.
  std::vector<pid_t> processes() const;
  /// Current usage.
  Stats stats() const;
  /// Stop every process in it (v2 cgroup.freeze; v1 freezer.state).
  void freeze();
  /// Let them run again.
  void thaw();
  /// SIGKILL every process in it and wait until it is empty.
  void kill();
  /// Kill what is left and remove the directories (and boxlab/ when it is empty).
  void remove();
  /// The directories (one on v2, one per hierarchy on v1).
  const std::vector<std::string>& directories() const;
  /// Keep the cgroup when this object is destroyed.
  void release() noexcept;

 private:
  explicit Cgroup(std::unique_ptr<Backend> backend);
  std::unique_ptr<Backend> backend_;
  bool owned_ = true;
};

/// Read the usage of an existing cgroup by its directories, without taking ownership.
Stats read_stats(const Layout& layout, const std::vector<std::string>& directories);

/// Where the cgroup of container @p id is (or would be) on this machine: one directory on v2,
/// one per mounted v1 hierarchy.
std::vector<std::string> directories_of(const Layout& layout, const std::string& id);

/**
 * @brief Remove boxlab cgroups left by runtimes killed mid-start: each directory in @p ids
 * (below the runtime's cgroup, boxlab/&lt;id&gt;) that holds no process. Returns how many were removed.
 */
int sweep(const Layout& layout, const std::vector<std::string>& ids);

}  // namespace boxlab::cgroup
