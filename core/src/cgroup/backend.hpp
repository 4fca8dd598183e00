/**
 * @file backend.hpp
 * @brief Private to core/src/cgroup: the Backend interface v1 and v2 implement, file helpers, controllers.
 */
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "boxlab/cgroup/cgroup.hpp"

namespace boxlab::cgroup {

/// What differs between v1 and v2: where the directories are and how each operation is spelled.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual void create(const std::string& id, const Limits& limits) = 0;
  virtual void add_process(pid_t pid) = 0;
  virtual std::vector<pid_t> processes() const = 0;
  virtual Stats stats() const = 0;
  virtual void set_frozen(bool frozen) = 0;
  /// Take over existing directories (a cgroup created by an earlier runtime).
  virtual void adopt(const std::vector<std::string>& dirs) {
    for (const auto& dir : dirs) {
      directories.push_back(dir);
      parents.push_back(dir.substr(0, dir.rfind('/')));
    }
  }
  /// The leaf directories, and their boxlab/ parents to remove when they become empty.
  std::vector<std::string> directories;
  std::vector<std::string> parents;
};

std::unique_ptr<Backend> make_v1_backend(const Layout& layout);
std::unique_ptr<Backend> make_v2_backend(const Layout& layout);
/// v2: where boxlab/ goes: the runtime's cgroup, or its nearest ancestor that holds no
/// process (the no-internal-processes rule), or the root.
std::string v2_parent_dir(const Layout& layout);

// Files: every write says which file, what value, and a hint for the usual failures.
void write_value(const std::string& dir, const std::string& file, const std::string& value);
std::string read_value(const std::string& dir, const std::string& file);
/// A "key value" line of a flat-keyed file (memory.events, cpu.stat, memory.stat); 0 if absent.
uint64_t read_keyed(const std::string& dir, const std::string& file, const std::string& key);
/// A number, or nullopt for "max" (v2's "no limit").
std::optional<uint64_t> read_limit(const std::string& dir, const std::string& file);
std::vector<pid_t> read_procs(const std::string& dir);
bool has_file(const std::string& dir, const std::string& file);
/// mkdir, saying what to do when the cgroup tree is read-only.
void make_directory(const std::string& path);

namespace memory {
void apply_v2(const std::string& dir, const Limits& limits);
void apply_v1(const std::string& dir, const Limits& limits);
void read_v2(const std::string& dir, Stats& stats);
void read_v1(const std::string& dir, Stats& stats);
}  // namespace memory

namespace cpu {
void apply_v2(const std::string& dir, const Limits& limits);
void apply_v1(const std::string& dir, const Limits& limits);
void read_v2(const std::string& dir, Stats& stats);
void read_v1_cpuacct(const std::string& dir, Stats& stats);
/// runc's mapping of cgroup v1 cpu.shares [2, 262144] onto v2 cpu.weight [1, 10000].
uint64_t shares_to_weight(uint64_t shares);
}  // namespace cpu

namespace cpuset {
/// v1 needs cpuset.cpus and cpuset.mems set before any task can join: copy the parent's.
void inherit_v1(const std::string& parent, const std::string& dir);
void apply(const std::string& dir, const Limits& limits);
}  // namespace cpuset

namespace pids {
void apply(const std::string& dir, const Limits& limits);
void read(const std::string& dir, Stats& stats);
}  // namespace pids

namespace io {
void apply_v2(const std::string& dir, const Limits& limits);
void apply_v1(const std::string& dir, const Limits& limits);
}  // namespace io

}  // namespace boxlab::cgroup
