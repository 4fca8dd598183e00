// The cpu controller: --cpus is a quota of CPU time per period (CFS bandwidth control,
// Documentation/scheduler/sched-bwc.rst): 0.5 CPUs = 50 ms every 100 ms. --cpu-shares is a
// relative weight that matters only when CPUs are contended. CPU usage is read from cpu.stat
// (v2, microseconds) or cpuacct.usage (v1, nanoseconds).
//
// Interface: cpu::apply_v2 apply_v1 read_v2 read_v1_cpuacct shares_to_weight
#include <cmath>

#include "backend.hpp"

namespace boxlab::cgroup::cpu {
namespace {

constexpr uint64_t kPeriodUs = 100000;  // 100 ms, the kernel's and Docker's default period

uint64_t quota_us(double cpus) { return static_cast<uint64_t>(std::llround(cpus * kPeriodUs)); }

}  // namespace

uint64_t shares_to_weight(uint64_t shares) {
  if (shares == 0) return 100;
  return 1 + ((shares - 2) * 9999) / 262142;
}

void apply_v2(const std::string& dir, const Limits& l) {
  // LAB 04 BEGIN: write cpu.max ("QUOTA PERIOD") for --cpus and cpu.weight for --cpu-shares
  if (l.cpus) write_value(dir, "cpu.max", std::to_string(quota_us(*l.cpus)) + " " + std::to_string(kPeriodUs));
  if (l.cpu_shares) write_value(dir, "cpu.weight", std::to_string(shares_to_weight(*l.cpu_shares)));
  // LAB 04 END
}

void apply_v1(const std::string& dir, const Limits& l) {
  // LAB 04 BEGIN: write cpu.cfs_period_us and cpu.cfs_quota_us for --cpus, cpu.shares
  if (l.cpus) {
    write_value(dir, "cpu.cfs_period_us", std::to_string(kPeriodUs));
    write_value(dir, "cpu.cfs_quota_us", std::to_string(quota_us(*l.cpus)));
  }
  if (l.cpu_shares) write_value(dir, "cpu.shares", std::to_string(*l.cpu_shares));
  // LAB 04 END
}

void read_v2(const std::string& dir, Stats& s) { s.cpu_usage_ns = read_keyed(dir, "cpu.stat", "usage_usec") * 1000; }

void read_v1_cpuacct(const std::string& dir, Stats& s) { s.cpu_usage_ns = std::stoull(read_value(dir, "cpuacct.usage")); }

}  // namespace boxlab::cgroup::cpu
