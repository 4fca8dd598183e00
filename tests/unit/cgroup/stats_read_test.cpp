// read_stats against fake cgroup files written as the kernel writes them: v2 cpu.stat,
// memory.current, memory.stat, memory.events, pids.*; v1 cpuacct.usage, memory.usage_in_bytes,
// memory.stat, memory.oom_control. `docker stats` numbers come from exactly these.
#include "boxlab/cgroup/cgroup.hpp"
#include "catch.hpp"
#include "fake_cgroupfs.hpp"

namespace cgroup = boxlab::cgroup;
using fake::put;

TEST_CASE("v2: stats come from cpu.stat, memory.current minus inactive files, memory.events, pids", "[cgroup][v2][fake][stats]") {
  fake::V2 fs;
  auto dir = fs.leaf("c1");
  put(dir / "cgroup.procs");
  put(dir / "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n");
  put(dir / "memory.current", "10485760\n");
  put(dir / "memory.stat",
      "anon 4194304\nfile 6291456\nkernel 0\nactive_anon 0\ninactive_anon 4194304\nactive_file 4194304\n"
      "inactive_file 2097152\nunevictable 0\n");
  put(dir / "memory.max", "67108864\n");
  put(dir / "memory.events", "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n");
  put(dir / "pids.current", "3\n");
  put(dir / "pids.max", "max\n");
  auto s = cgroup::read_stats(fs.layout, {dir.string()});
  CHECK(s.cpu_usage_ns == 1500000);
  CHECK(s.memory_usage == 10485760 - 2097152);
  CHECK(s.memory_limit == 67108864);
  CHECK(s.oom_kills == 1);
  CHECK(s.pids == 3);
  CHECK_FALSE(s.pids_limit.has_value());

  put(dir / "memory.max", "max\n");
  put(dir / "pids.max", "10\n");
  s = cgroup::read_stats(fs.layout, {dir.string()});
  CHECK_FALSE(s.memory_limit.has_value());
  CHECK(s.pids_limit == 10);
}

TEST_CASE("v2: a cgroup without memory or pids controllers still has CPU stats", "[cgroup][v2][fake][stats]") {
  fake::V2 fs;
  auto dir = fs.leaf("c1");
  put(dir / "cpu.stat", "usage_usec 7\nuser_usec 7\nsystem_usec 0\n");
  auto s = cgroup::read_stats(fs.layout, {dir.string()});
  CHECK(s.cpu_usage_ns == 7000);
  CHECK(s.memory_usage == 0);
  CHECK_FALSE(s.memory_limit.has_value());
  CHECK(s.pids == 0);
}

TEST_CASE("v1: stats come from cpuacct.usage, memory.usage_in_bytes, memory.stat, oom_control, pids", "[cgroup][v1][fake][stats]") {
  fake::V1 fs;
  auto dirs = cgroup::directories_of(fs.layout, "c1");
  put(fs.dir("cpuacct", "c1") / "cpuacct.usage", "123456789\n");
  put(fs.dir("memory", "c1") / "memory.usage_in_bytes", "10485760\n");
  put(fs.dir("memory", "c1") / "memory.stat",
      "cache 6291456\nrss 4194304\ninactive_file 1\nactive_file 4194304\nhierarchical_memory_limit 67108864\n"
      "total_cache 6291456\ntotal_rss 4194304\ntotal_inactive_file 2097152\ntotal_active_file 4194304\n");
  put(fs.dir("memory", "c1") / "memory.limit_in_bytes", "67108864\n");
  put(fs.dir("memory", "c1") / "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
  put(fs.dir("pids", "c1") / "pids.current", "4\n");
  put(fs.dir("pids", "c1") / "pids.max", "10\n");
  auto s = cgroup::read_stats(fs.layout, dirs);
  CHECK(s.cpu_usage_ns == 123456789);
  CHECK(s.memory_usage == 10485760 - 2097152);  // total_inactive_file, not inactive_file
  CHECK(s.memory_limit == 67108864);
  CHECK(s.oom_kills == 2);
  CHECK(s.pids == 4);
  CHECK(s.pids_limit == 10);

  // "No limit" in v1 is PAGE_COUNTER_MAX pages, 9223372036854771712 with 4 KiB pages.
  put(fs.dir("memory", "c1") / "memory.limit_in_bytes", "9223372036854771712\n");
  put(fs.dir("pids", "c1") / "pids.max", "max\n");
  s = cgroup::read_stats(fs.layout, dirs);
  CHECK_FALSE(s.memory_limit.has_value());
  CHECK_FALSE(s.pids_limit.has_value());
}

TEST_CASE("memory usage below the inactive page cache is not turned negative", "[cgroup][fake][stats]") {
  fake::V1 fs({"memory"});
  auto dir = fs.dir("memory", "c1");
  put(dir / "memory.usage_in_bytes", "4096\n");
  put(dir / "memory.stat", "total_inactive_file 8192\n");
  put(dir / "memory.limit_in_bytes", "67108864\n");
  put(dir / "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");  // before Linux 4.13: no oom_kill
  auto s = cgroup::read_stats(fs.layout, {dir.string()});
  CHECK(s.memory_usage == 4096);
  CHECK(s.oom_kills == 0);
}
