// The memory controller: a hard limit (the OOM killer acts above it), swap, a soft reservation.
//
// Docker's --memory-swap is memory PLUS swap; v2 limits swap alone (memory.swap.max), v1
// limits memory plus swap (memory.memsw.limit_in_bytes). Unset, Docker allows as much swap as
// memory. v1 refuses a memsw limit below the memory limit, so memory is written first.
// Usage as `docker stats` shows it: usage minus inactive page cache, which the kernel can drop.
//
// Interface: memory::apply_v2 apply_v1 read_v2 read_v1
#include "backend.hpp"
#include "boxlab/sys/error.hpp"

namespace boxlab::cgroup::memory {
namespace {

// Docker: --memory-swap unset means swap = memory (total = 2 x memory); -1 means unlimited.
std::optional<int64_t> total_with_swap(const Limits& l) {
  if (l.memory_swap) return *l.memory_swap;
  if (l.memory) return 2 * *l.memory;
  return std::nullopt;
}

}  // namespace

void apply_v2(const std::string& dir, const Limits& l) {
  // LAB 04 BEGIN: write memory.max, memory.swap.max (swap alone) and memory.low
  if (l.memory) write_value(dir, "memory.max", std::to_string(*l.memory));
  if (auto total = total_with_swap(l); total && l.memory && has_file(dir, "memory.swap.max"))
    write_value(dir, "memory.swap.max", *total < 0 ? "max" : std::to_string(*total - *l.memory));
  if (l.memory_reservation) write_value(dir, "memory.low", std::to_string(*l.memory_reservation));
  // LAB 04 END
}

void apply_v1(const std::string& dir, const Limits& l) {
  // LAB 04 BEGIN: write memory.limit_in_bytes, then memory.memsw.limit_in_bytes (memory + swap)
  if (l.memory) write_value(dir, "memory.limit_in_bytes", std::to_string(*l.memory));
  if (auto total = total_with_swap(l); total && l.memory) {
    if (has_file(dir, "memory.memsw.limit_in_bytes"))
      write_value(dir, "memory.memsw.limit_in_bytes", *total < 0 ? "-1" : std::to_string(*total));
    else if (l.memory_swap && *l.memory_swap >= 0)
      throw Error("--memory-swap: this kernel does not account swap (memory.memsw.* missing); "
                  "boot with swapaccount=1 or leave --memory-swap out");
  }
  if (l.memory_reservation) write_value(dir, "memory.soft_limit_in_bytes", std::to_string(*l.memory_reservation));
  // LAB 04 END
}

void read_v2(const std::string& dir, Stats& s) {
  uint64_t current = std::stoull(read_value(dir, "memory.current"));
  uint64_t inactive = read_keyed(dir, "memory.stat", "inactive_file");
  s.memory_usage = current > inactive ? current - inactive : current;
  s.memory_limit = read_limit(dir, "memory.max");
  s.oom_kills = read_keyed(dir, "memory.events", "oom_kill");
}

void read_v1(const std::string& dir, Stats& s) {
  uint64_t usage = std::stoull(read_value(dir, "memory.usage_in_bytes"));
  uint64_t inactive = read_keyed(dir, "memory.stat", "total_inactive_file");
  s.memory_usage = usage > inactive ? usage - inactive : usage;
  uint64_t limit = std::stoull(read_value(dir, "memory.limit_in_bytes"));
  // v1 writes "no limit" as the largest page-aligned value (PAGE_COUNTER_MAX pages).
  if (limit < (uint64_t{1} << 62)) s.memory_limit = limit;
  // memory.oom_control has had an oom_kill counter since Linux 4.13.
  s.oom_kills = read_keyed(dir, "memory.oom_control", "oom_kill");
}

}  // namespace boxlab::cgroup::memory
