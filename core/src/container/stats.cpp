// Stats: why `docker stats` can show a container's usage at all. A container is a cgroup, and
// the kernel accounts every cgroup's CPU time, memory and tasks in its files (cpu.stat or
// cpuacct.usage, memory.current or memory.usage_in_bytes, pids.current). CPU % needs two
// samples: CPU time is a counter, so usage is its growth over the wall time between them.
//
// Interface: sample_stats, format_stats
#include "boxlab/container/stats.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <thread>

#include "boxlab/cgroup/cgroup.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/text.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::container {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<State> selected(const std::string& containers_dir, const std::vector<std::string>& ids) {
  std::vector<State> states;
  for (auto& s : list_states(containers_dir))
    if (s.status == "running" && s.process_alive() && !s.cgroup_dirs.empty()) states.push_back(std::move(s));
  if (ids.empty()) return states;
  std::vector<State> chosen;
  for (const auto& prefix : ids) {
    std::string id = resolve_id(containers_dir, prefix);
    auto it = std::find_if(states.begin(), states.end(), [&](const State& s) { return s.id == id; });
    if (it == states.end()) throw Error("container " + short_id(id) + " is not running or has no cgroup");
    chosen.push_back(*it);
  }
  return chosen;
}

std::string fmt_percent(double value) {
  char text[16];
  std::snprintf(text, sizeof text, "%.2f%%", value);
  return text;
}

}  // namespace

std::vector<ContainerStats> sample_stats(const std::string& containers_dir, const std::vector<std::string>& ids,
                                         std::chrono::milliseconds interval) {
  cgroup::Layout layout = cgroup::detect_layout();
  std::vector<State> states = selected(containers_dir, ids);
  std::map<std::string, uint64_t> first_cpu;
  for (const auto& s : states) first_cpu[s.id] = cgroup::read_stats(layout, s.cgroup_dirs).cpu_usage_ns;
  auto start = Clock::now();
  std::this_thread::sleep_for(interval);
  double wall_ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();

  std::vector<ContainerStats> out;
  uint64_t machine_memory = sys::total_memory();
  for (const auto& s : states) {
    cgroup::Stats now;
    try {
      now = cgroup::read_stats(layout, s.cgroup_dirs);
    } catch (const Error&) {
      continue;  // it ended between the two samples
    }
    ContainerStats c;
    c.id = s.id;
    c.cpu_percent = 100.0 * static_cast<double>(now.cpu_usage_ns - first_cpu[s.id]) / wall_ns;
    c.memory_usage = now.memory_usage;
    c.memory_limit = now.memory_limit && *now.memory_limit < machine_memory ? *now.memory_limit : machine_memory;
    c.pids = now.pids;
    out.push_back(c);
  }
  return out;
}

std::string format_stats(const std::vector<ContainerStats>& stats) {
  char line[160];
  std::snprintf(line, sizeof line, "%-15s%-10s%-24s%-10s%s\n", "CONTAINER ID", "CPU %", "MEM USAGE / LIMIT", "MEM %",
                "PIDS");
  std::string out = line;
  for (const auto& s : stats) {
    std::string cpu = fmt_percent(s.cpu_percent);
    double mem_percent = s.memory_limit ? 100.0 * static_cast<double>(s.memory_usage) / static_cast<double>(s.memory_limit) : 0;
    std::string memory = sys::human_size(s.memory_usage) + " / " + sys::human_size(s.memory_limit);
    std::snprintf(line, sizeof line, "%-15s%-10s%-24s%-10s%llu\n", short_id(s.id).c_str(), cpu.c_str(),
                  memory.c_str(), fmt_percent(mem_percent).c_str(), static_cast<unsigned long long>(s.pids));
    out += line;
  }
  return out;
}

}  // namespace boxlab::container
