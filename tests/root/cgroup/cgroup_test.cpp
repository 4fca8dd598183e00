// Root tests of cgroup::Cgroup against the real kernel, on whichever interface this machine
// uses (detect_layout): limits read back from the kernel's files, a process joining, usage,
// freeze and thaw, kill, removal, and sweeping what a dead runtime left. A part that needs a
// controller this machine lacks is skipped with a warning (on v2, controllers come from the
// parent's cgroup.subtree_control). Run alone with: root_tests "[cgroup]".
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <fstream>
#include <set>
#include <thread>

#include "boxlab/cgroup/cgroup.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/process.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "cgroup_support.hpp"
#include "test_support.hpp"

namespace cgroup = boxlab::cgroup;
namespace sys = boxlab::sys;
namespace stdfs = std::filesystem;
using cgtest::available;
using cgtest::dir_for;
using cgtest::value;
using namespace std::chrono_literals;

namespace {

constexpr int64_t kMiB = 1024 * 1024;

bool is_v2(const cgroup::Layout& layout) { return layout.version == cgroup::Version::v2; }

// Start @p args inside @p cg: it joins before exec, as a container's process does.
sys::Child start_in(cgroup::Cgroup& cg, std::vector<std::string> args) {
  sys::SpawnOptions o;
  o.args = std::move(args);
  o.before_exec = [&cg](pid_t pid) { cg.add_process(pid); };
  return sys::spawn(o);
}

// A whole disk of this machine the io controller can throttle: from /sys/block, a real one
// (vda, sda, nvme0n1, or null_blk's nullb0 in a test VM) before loop, ram and zram devices.
std::optional<std::pair<unsigned, unsigned>> whole_disk() {
  std::optional<std::pair<unsigned, unsigned>> fallback;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator("/sys/block", ec)) {
    std::string name = e.path().filename();
    unsigned major = 0, minor = 0;
    if (std::sscanf(sys::read_file(e.path() / "dev").c_str(), "%u:%u", &major, &minor) != 2) continue;
    bool virtual_only = name.rfind("loop", 0) == 0 || name.rfind("ram", 0) == 0 || name.rfind("zram", 0) == 0;
    if (!virtual_only) return std::pair{major, minor};
    if (!fallback) fallback = std::pair{major, minor};
  }
  return fallback;
}

// CPU time the cgroup's processes used, from the kernel (cpuacct.usage or cpu.stat).
uint64_t cpu_ns(const cgroup::Cgroup& cg) { return cg.stats().cpu_usage_ns; }

bool frozen(const cgroup::Layout& layout, const cgroup::Cgroup& cg) {
  if (is_v2(layout)) {
    std::string events = sys::read_file(cg.directories().at(0) + "/cgroup.events");
    return events.find("frozen 1") != std::string::npos;
  }
  return value(dir_for(layout, cg.directories(), "freezer"), "freezer.state") == "FROZEN";
}

bool can_freeze(const cgroup::Layout& layout) { return is_v2(layout) || layout.v1_mounts.count("freezer"); }

// Every test leaves no process behind.
struct NoLeaks {
  ~NoLeaks() { CHECK(test::child_pids().empty()); }
};

}  // namespace

TEST_CASE("create writes each limit where the kernel reads it", "[root][cgroup]") {
  NoLeaks no_leaks;
  auto layout = cgroup::detect_layout();
  INFO("cgroup layout: " << layout.description);
  cgroup::Limits l;
  if (available(layout, "memory")) {
    l.memory = 64 * kMiB;
    l.memory_reservation = 32 * kMiB;
  } else {
    WARN("no memory controller here: memory limits not tested");
  }
  if (available(layout, "cpu")) {
    l.cpus = 0.5;
    l.cpu_shares = 512;
  } else {
    WARN("no cpu controller here: --cpus and --cpu-shares not tested");
  }
  if (available(layout, "pids")) l.pids = 10;
  else WARN("no pids controller here: --pids-limit not tested");
  if (available(layout, "cpuset")) l.cpuset_cpus = "0";
  else WARN("no cpuset controller here: --cpuset-cpus not tested");
  auto disk = whole_disk();
  if (disk && available(layout, "io")) {
    l.device_read_bps = {{disk->first, disk->second, 1048576}};
    l.device_write_bps = {{disk->first, disk->second, 2097152}};
  } else {
    WARN("no block device or no io controller here: --device-*-bps not tested");
  }

  std::string id = cgtest::make_id(cgtest::make_token(), 1);
  auto cg = cgroup::Cgroup::create(layout, id, l);
  auto dirs = cg.directories();
  std::vector<std::string> derived = cgroup::directories_of(layout, id);
  for (const auto& d : dirs) {
    INFO(d);
    CHECK(stdfs::is_directory(d));
    CHECK(stdfs::path(d).filename() == id);
    CHECK(stdfs::path(d).parent_path().filename() == "boxlab");
    CHECK(std::count(derived.begin(), derived.end(), d) == 1);  // gc finds it by id
  }
  std::string dev = disk ? std::to_string(disk->first) + ":" + std::to_string(disk->second) : "";

  if (is_v2(layout)) {
    const std::string& d = dirs.at(0);
    CHECK(dirs.size() == 1);
    if (l.memory) {
      CHECK(value(d, "memory.max") == "67108864");
      CHECK(value(d, "memory.low") == "33554432");
      if (stdfs::exists(d + "/memory.swap.max")) CHECK(value(d, "memory.swap.max") == "67108864");
    }
    if (l.cpus) {
      CHECK(value(d, "cpu.max") == "50000 100000");
      CHECK(value(d, "cpu.weight") == "20");
    }
    if (l.pids) CHECK(value(d, "pids.max") == "10");
    if (l.cpuset_cpus) CHECK(value(d, "cpuset.cpus") == "0");
    if (!l.device_read_bps.empty()) {
      std::string io = value(d, "io.max");
      INFO(io);
      CHECK(io.find(dev + " rbps=1048576 wbps=2097152") != std::string::npos);
    }
    // The controllers reach the container: boxlab/ passes them on.
    auto enabled = cgtest::words(value(stdfs::path(d).parent_path(), "cgroup.subtree_control"));
    for (const char* c : {"memory", "pids", "cpu"})
      if (available(layout, c)) CHECK(std::count(enabled.begin(), enabled.end(), c) == 1);
  } else {
    if (l.memory) {
      std::string m = dir_for(layout, dirs, "memory");
      CHECK(value(m, "memory.limit_in_bytes") == "67108864");
      CHECK(value(m, "memory.soft_limit_in_bytes") == "33554432");
      if (stdfs::exists(m + "/memory.memsw.limit_in_bytes")) CHECK(value(m, "memory.memsw.limit_in_bytes") == "134217728");
    }
    if (l.cpus) {
      std::string c = dir_for(layout, dirs, "cpu");
      CHECK(value(c, "cpu.cfs_quota_us") == "50000");
      CHECK(value(c, "cpu.cfs_period_us") == "100000");
      CHECK(value(c, "cpu.shares") == "512");
    }
    if (l.pids) CHECK(value(dir_for(layout, dirs, "pids"), "pids.max") == "10");
    if (l.cpuset_cpus) {
      std::string c = dir_for(layout, dirs, "cpuset");
      CHECK(value(c, "cpuset.cpus") == "0");
      CHECK_FALSE(value(c, "cpuset.mems").empty());  // copied from the parent, or nothing could join
    }
    if (!l.device_read_bps.empty()) {
      std::string b = dir_for(layout, dirs, "io");
      CHECK(value(b, "blkio.throttle.read_bps_device") == dev + " 1048576");
      CHECK(value(b, "blkio.throttle.write_bps_device") == dev + " 2097152");
    }
  }
  cg.remove();
  CHECK(cgtest::existing(dirs).empty());
}

TEST_CASE("a process joins the cgroup, is listed, and its usage is read", "[root][cgroup]") {
  NoLeaks no_leaks;
  auto layout = cgroup::detect_layout();
  cgroup::Limits l;
  bool memory = available(layout, "memory"), pids = available(layout, "pids");
  if (memory) l.memory = 64 * kMiB;
  if (pids) l.pids = 10;
  std::string id = cgtest::make_id(cgtest::make_token(), 2);
  auto cg = cgroup::Cgroup::create(layout, id, l);
  sys::Child sleeper = start_in(cg, {"sleep", "100"});
  CHECK(cg.processes() == std::vector<pid_t>{sleeper.pid()});
  // The kernel agrees: /proc/PID/cgroup names the container's cgroup in every hierarchy.
  auto paths = cgroup::parse_proc_cgroup(sys::read_file("/proc/" + std::to_string(sleeper.pid()) + "/cgroup"));
  if (is_v2(layout)) {
    CHECK(layout.unified_mount + paths.at("") == cg.directories().at(0));
  } else {
    for (const char* c : {"memory", "pids", "cpu", "freezer"})
      if (layout.v1_mounts.count(c)) CHECK(layout.v1_mounts.at(c) + paths.at(c) == dir_for(layout, cg.directories(), c));
  }

  // exec ran in the cgroup; the kernel charges that CPU time when it next updates the task.
  CHECK(cgtest::eventually([&] { return cg.stats().cpu_usage_ns > 0; }, 2s));
  auto s = cg.stats();
  if (memory) {
    CHECK(s.memory_limit == uint64_t(64 * kMiB));
    CHECK(s.memory_usage > 0);
    CHECK(s.memory_usage < uint64_t(64 * kMiB));
    CHECK(s.oom_kills == 0);
  }
  if (pids) {
    CHECK(s.pids == 1);
    CHECK(s.pids_limit == 10u);
  }
  auto again = cgroup::read_stats(layout, cg.directories());  // as `stats` reads it, by directories
  CHECK(again.pids == s.pids);
  CHECK(again.memory_limit == s.memory_limit);

  cg.kill();
  CHECK(cg.processes().empty());
  auto status = sleeper.wait();
  CHECK(status.signaled);
  CHECK(status.signal == SIGKILL);
  cg.remove();
  CHECK(cgtest::existing(cgroup::directories_of(layout, id)).empty());
}

TEST_CASE("a frozen cgroup's processes do not run until it is thawed", "[root][cgroup]") {
  NoLeaks no_leaks;
  auto layout = cgroup::detect_layout();
  if (!can_freeze(layout)) {
    WARN("no freezer here: freeze and thaw not tested");
    return;
  }
  std::string id = cgtest::make_id(cgtest::make_token(), 3);
  auto cg = cgroup::Cgroup::create(layout, id, {});
  sys::Child spinner = start_in(cg, {"sh", "-c", "while :; do :; done"});
  uint64_t start = cpu_ns(cg);
  REQUIRE(cgtest::eventually([&] { return cpu_ns(cg) > start + 20'000'000; }));  // it runs: 20 ms of CPU

  cg.freeze();
  REQUIRE(cgtest::eventually([&] { return frozen(layout, cg); }));
  uint64_t at_freeze = cpu_ns(cg);
  std::this_thread::sleep_for(300ms);
  CHECK(cpu_ns(cg) == at_freeze);  // not one more nanosecond of CPU
  CHECK(cg.processes() == std::vector<pid_t>{spinner.pid()});

  cg.thaw();
  CHECK(cgtest::eventually([&] { return !frozen(layout, cg); }));
  CHECK(cgtest::eventually([&] { return cpu_ns(cg) > at_freeze + 20'000'000; }));
  cg.kill();
  CHECK(spinner.wait().signal == SIGKILL);
  cg.remove();
  CHECK(cgtest::existing(cgroup::directories_of(layout, id)).empty());
}

TEST_CASE("a frozen cgroup can still be killed and removed", "[root][cgroup]") {
  NoLeaks no_leaks;
  auto layout = cgroup::detect_layout();
  if (!can_freeze(layout)) {
    WARN("no freezer here: not tested");
    return;
  }
  std::string id = cgtest::make_id(cgtest::make_token(), 4);
  auto cg = cgroup::Cgroup::create(layout, id, {});
  sys::Child sleeper = start_in(cg, {"sleep", "100"});
  cg.freeze();
  REQUIRE(cgtest::eventually([&] { return frozen(layout, cg); }));
  auto begin = std::chrono::steady_clock::now();
  CHECK_NOTHROW(cg.remove());
  CHECK(std::chrono::steady_clock::now() - begin < 2s);
  CHECK(sleeper.wait().signal == SIGKILL);
  CHECK(cgtest::existing(cgroup::directories_of(layout, id)).empty());
}

TEST_CASE("remove leaves no directory, and removes boxlab/ with its last container", "[root][cgroup]") {
  NoLeaks no_leaks;
  auto real = cgroup::detect_layout();
  std::string token = cgtest::make_token();
  cgtest::PrivateParent parent(real, "boxlab-test-" + token);
  const auto& layout = parent.layout();
  auto first = cgroup::Cgroup::create(layout, cgtest::make_id(token, 1), {});
  auto second = cgroup::Cgroup::create(layout, cgtest::make_id(token, 2), {});
  sys::Child sleeper = start_in(second, {"sleep", "100"});
  std::vector<std::string> boxlab_dirs;
  for (const auto& d : first.directories()) boxlab_dirs.push_back(stdfs::path(d).parent_path());
  for (const auto& d : boxlab_dirs) {
    INFO(d);
    CHECK(stdfs::path(d).filename() == "boxlab");
    CHECK(stdfs::path(d).parent_path().filename() == "boxlab-test-" + token);
  }

  first.remove();
  CHECK(cgtest::existing(first.directories()).empty());
  CHECK(first.directories().empty());  // nothing left to remove twice
  CHECK(cgtest::existing(boxlab_dirs).size() == boxlab_dirs.size());  // the second still uses boxlab/

  second.remove();  // kills the sleeper first
  CHECK(sleeper.wait().signal == SIGKILL);
  CHECK(cgtest::existing(boxlab_dirs).empty());
  CHECK_NOTHROW(second.remove());  // twice is harmless
}

TEST_CASE("destroying an owned Cgroup removes it; a released one stays for adopt", "[root][cgroup]") {
  NoLeaks no_leaks;
  auto layout = cgroup::detect_layout();
  std::string token = cgtest::make_token();
  std::vector<std::string> dirs;
  {
    auto cg = cgroup::Cgroup::create(layout, cgtest::make_id(token, 1), {});
    dirs = cg.directories();
  }
  CHECK(cgtest::existing(dirs).empty());

  std::string id = cgtest::make_id(token, 2);
  {
    auto cg = cgroup::Cgroup::create(layout, id, {});
    dirs = cg.directories();
    cg.release();
  }
  CHECK(cgtest::existing(dirs).size() == dirs.size());
  auto adopted = cgroup::Cgroup::adopt(layout, dirs);
  CHECK(adopted.directories() == dirs);
  adopted.remove();
  CHECK(cgtest::existing(dirs).empty());
}

TEST_CASE("sweep removes a cgroup a dead runtime left, killing what still runs in it", "[root][cgroup]") {
  NoLeaks no_leaks;
  auto layout = cgroup::detect_layout();
  std::string id = cgtest::make_id(cgtest::make_token(), 5);
  auto cg = cgroup::Cgroup::create(layout, id, {});
  sys::Child orphan = start_in(cg, {"sleep", "100"});
  auto dirs = cg.directories();
  cg.release();  // the runtime "dies": nobody owns the cgroup any more
  CHECK(cgroup::sweep(layout, {id, cgtest::make_id(cgtest::make_token(), 6)}) == 1);
  CHECK(orphan.wait().signal == SIGKILL);
  CHECK(cgtest::existing(dirs).empty());
  CHECK(cgroup::sweep(layout, {id}) == 0);
}

TEST_CASE("a value the kernel refuses fails create, names the file, and leaves nothing", "[root][cgroup][bad-input]") {
  NoLeaks no_leaks;
  auto layout = cgroup::detect_layout();
  if (!available(layout, "cpu")) {
    WARN("no cpu controller here: not tested");
    return;
  }
  std::string id = cgtest::make_id(cgtest::make_token(), 7);
  cgroup::Limits l;
  l.pids = available(layout, "pids") ? std::optional<int64_t>(10) : std::nullopt;
  l.cpus = 0.001;  // a quota of 100 us: the kernel's minimum is 1 ms (EINVAL)
  try {
    cgroup::Cgroup::create(layout, id, l);
    FAIL("the kernel accepted a 100 us CPU quota");
  } catch (const boxlab::Error& e) {
    std::string message = e.what();
    INFO(message);
    CHECK(message.find(is_v2(layout) ? "cpu.max" : "cpu.cfs_quota_us") != std::string::npos);
    CHECK(message.find("Invalid argument") != std::string::npos);
  }
  CHECK(cgtest::existing(cgroup::directories_of(layout, id)).empty());
}
