// The cpuset controller: which CPUs (and memory nodes) the container may run on.
//
// In v1 a new cpuset starts EMPTY, and a task cannot join a cpuset with no CPUs or no memory
// nodes (ENOSPC), so the parent's cpuset.cpus and cpuset.mems are copied down first
// (Documentation/admin-guide/cgroup-v1/cpusets.rst). v2 inherits them (cpuset.cpus.effective).
//
// Interface: cpuset::inherit_v1 apply
#include "backend.hpp"

namespace boxlab::cgroup::cpuset {

void inherit_v1(const std::string& parent, const std::string& dir) {
  for (const char* file : {"cpuset.cpus", "cpuset.mems"})
    if (read_value(dir, file).empty()) write_value(dir, file, read_value(parent, file));
}

void apply(const std::string& dir, const Limits& l) {
  // LAB 04 BEGIN: write cpuset.cpus for --cpuset-cpus
  if (l.cpuset_cpus) write_value(dir, "cpuset.cpus", *l.cpuset_cpus);
  // LAB 04 END
}

}  // namespace boxlab::cgroup::cpuset
