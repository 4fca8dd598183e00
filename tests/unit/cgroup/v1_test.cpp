// cgroup v1 backend against fake hierarchies (fake_cgroupfs.hpp): one directory per hierarchy,
// the v1 spelling of each limit, memory plus swap in memsw, the cpuset copied down from the
// parent, co-mounted controllers sharing a directory, and what a missing hierarchy says.
#include <filesystem>
#include <set>
#include <string>

#include "boxlab/cgroup/cgroup.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"
#include "fake_cgroupfs.hpp"

namespace cgroup = boxlab::cgroup;
namespace stdfs = std::filesystem;
using fake::written;

namespace {

constexpr int64_t kMiB = 1024 * 1024;

cgroup::Cgroup create(const fake::V1& fs, const std::string& id, const cgroup::Limits& limits) {
  fs.expect_container(id);
  cgroup::Cgroup cg = cgroup::Cgroup::create(fs.layout, id, limits);
  cg.release();
  return cg;
}

}  // namespace

TEST_CASE("v1: one directory per hierarchy, below the runtime's own cgroup in each", "[cgroup][v1][fake]") {
  fake::V1 fs;
  auto cg = create(fs, "c1", {});
  std::set<std::string> dirs(cg.directories().begin(), cg.directories().end());
  std::set<std::string> expected;
  for (const auto& name : fake::kV1Hierarchies) expected.insert(fs.dir(name, "c1").string());
  CHECK(dirs == expected);
  CHECK(cg.directories().size() == expected.size());
  // memory is where /proc/self/cgroup put the runtime, the others at the root.
  CHECK(fs.dir("memory", "c1") == fs.tmp.path() / "memory/process_api/abc/boxlab/c1");
  CHECK(fs.dir("pids", "c1") == fs.tmp.path() / "pids/boxlab/c1");
}

TEST_CASE("v1: each limit is written to its file, in the kernel's units", "[cgroup][v1][fake]") {
  fake::V1 fs;
  cgroup::Limits l;
  l.memory = 64 * kMiB;
  l.memory_reservation = 32 * kMiB;
  l.cpus = 0.5;
  l.cpu_shares = 512;
  l.pids = 100;
  l.device_read_bps = {{8, 0, 1048576}};
  l.device_write_bps = {{8, 16, 2097152}};
  create(fs, "c1", l);
  CHECK(written(fs.dir("memory", "c1") / "memory.limit_in_bytes") == "67108864");
  CHECK(written(fs.dir("memory", "c1") / "memory.memsw.limit_in_bytes") == "134217728");  // swap = memory
  CHECK(written(fs.dir("memory", "c1") / "memory.soft_limit_in_bytes") == "33554432");
  CHECK(written(fs.dir("cpu", "c1") / "cpu.cfs_period_us") == "100000");
  CHECK(written(fs.dir("cpu", "c1") / "cpu.cfs_quota_us") == "50000");
  CHECK(written(fs.dir("cpu", "c1") / "cpu.shares") == "512");  // v1 takes shares as they are
  CHECK(written(fs.dir("pids", "c1") / "pids.max") == "100");
  CHECK(written(fs.dir("blkio", "c1") / "blkio.throttle.read_bps_device") == "8:0 1048576");
  CHECK(written(fs.dir("blkio", "c1") / "blkio.throttle.write_bps_device") == "8:16 2097152");
  CHECK(written(fs.dir("freezer", "c1") / "freezer.state").empty());
}

TEST_CASE("v1: only the files of the limits given are written", "[cgroup][v1][fake]") {
  fake::V1 fs;
  cgroup::Limits l;
  l.memory = 64 * kMiB;
  create(fs, "c1", l);
  CHECK(written(fs.dir("memory", "c1") / "memory.limit_in_bytes") == "67108864");
  CHECK(fake::raw(fs.dir("memory", "c1") / "memory.soft_limit_in_bytes").empty());
  for (const char* f : {"cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.shares"}) CHECK(fake::raw(fs.dir("cpu", "c1") / f).empty());
  CHECK(fake::raw(fs.dir("pids", "c1") / "pids.max").empty());
  CHECK(fake::raw(fs.dir("blkio", "c1") / "blkio.throttle.read_bps_device").empty());
}

TEST_CASE("v1: --memory-swap is memory plus swap, as memsw is", "[cgroup][v1][fake]") {
  fake::V1 fs;
  cgroup::Limits l;
  l.memory = 64 * kMiB;
  SECTION("unset: twice the memory") {
    create(fs, "c1", l);
    CHECK(written(fs.dir("memory", "c1") / "memory.memsw.limit_in_bytes") == "134217728");
  }
  SECTION("-1: unlimited") {
    l.memory_swap = -1;
    create(fs, "c1", l);
    CHECK(written(fs.dir("memory", "c1") / "memory.memsw.limit_in_bytes") == "-1");
  }
  SECTION("a total: the total") {
    l.memory_swap = 100 * kMiB;
    create(fs, "c1", l);
    CHECK(written(fs.dir("memory", "c1") / "memory.memsw.limit_in_bytes") == "104857600");
  }
  CHECK(written(fs.dir("memory", "c1") / "memory.limit_in_bytes") == "67108864");
}

TEST_CASE("v1: without swap accounting, --memory-swap is refused and the default is skipped", "[cgroup][v1][fake]") {
  fake::V1 fs;
  fs.expect_container("c1", {"memory.memsw.limit_in_bytes"});
  cgroup::Limits l;
  l.memory = 64 * kMiB;
  SECTION("unset or -1: the memory limit alone") {
    if (GENERATE(0, 1)) l.memory_swap = -1;
    cgroup::Cgroup::create(fs.layout, "c1", l).release();
    CHECK(written(fs.dir("memory", "c1") / "memory.limit_in_bytes") == "67108864");
    CHECK_FALSE(stdfs::exists(fs.dir("memory", "c1") / "memory.memsw.limit_in_bytes"));
  }
  SECTION("a total: refused, saying how to turn swap accounting on") {
    l.memory_swap = 100 * kMiB;
    CHECK_THROWS_WITH(cgroup::Cgroup::create(fs.layout, "c1", l), test::contains("swapaccount=1"));
  }
}

TEST_CASE("v1: a new cpuset gets its parent's CPUs and memory nodes before anything joins", "[cgroup][v1][fake]") {
  SECTION("copied into boxlab/ and into the container") {
    fake::V1 fs;
    create(fs, "c1", {});
    CHECK(written(fs.boxlab("cpuset") / "cpuset.cpus") == "0-1");
    CHECK(written(fs.boxlab("cpuset") / "cpuset.mems") == "0");
    CHECK(written(fs.dir("cpuset", "c1") / "cpuset.cpus") == "0-1");
    CHECK(written(fs.dir("cpuset", "c1") / "cpuset.mems") == "0");
  }
  SECTION("boxlab/ already set up by an earlier container is left as it is") {
    fake::V1 fs;
    fs.expect_container("c1");
    fake::put(fs.boxlab("cpuset") / "cpuset.cpus", "1\n");
    fake::put(fs.boxlab("cpuset") / "cpuset.mems", "0\n");
    create(fs, "c2", {});
    CHECK(fake::raw(fs.boxlab("cpuset") / "cpuset.cpus") == "1\n");
    CHECK(written(fs.dir("cpuset", "c2") / "cpuset.cpus") == "1");  // the container's parent is boxlab/
  }
  SECTION("--cpuset-cpus replaces the inherited CPUs") {
    fake::V1 fs({"cpuset"}, "0");  // parent "0", so the fake file shows which write came last
    cgroup::Limits l;
    l.cpuset_cpus = "1";
    create(fs, "c1", l);
    CHECK(written(fs.dir("cpuset", "c1") / "cpuset.cpus") == "1");
    CHECK(written(fs.dir("cpuset", "c1") / "cpuset.mems") == "0");
  }
}

TEST_CASE("v1: --pids-limit -1 and 0 mean no limit", "[cgroup][v1][fake]") {
  for (int64_t unlimited : {int64_t{-1}, int64_t{0}}) {
    fake::V1 fs;
    cgroup::Limits l;
    l.pids = unlimited;
    create(fs, "c1", l);
    CHECK(written(fs.dir("pids", "c1") / "pids.max") == "max");
  }
}

TEST_CASE("v1: co-mounted cpu,cpuacct share one directory", "[cgroup][v1][fake]") {
  test::TempDir tmp;
  cgroup::Layout layout;
  layout.version = cgroup::Version::v1;
  std::string both = (tmp.path() / "cpu,cpuacct").string();
  layout.v1_mounts = {{"cpu", both}, {"cpuacct", both}};
  layout.own_v1_paths = {{"cpu", "/"}, {"cpuacct", "/"}};
  stdfs::path dir = tmp.path() / "cpu,cpuacct/boxlab/c1";
  for (const char* f : {"cgroup.procs", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.shares", "cpuacct.usage"})
    fake::put(dir / f);
  cgroup::Limits l;
  l.cpus = 1.5;
  auto cg = cgroup::Cgroup::create(layout, "c1", l);
  cg.release();
  CHECK(cg.directories() == std::vector<std::string>{dir.string()});
  CHECK(written(dir / "cpu.cfs_quota_us") == "150000");
  CHECK(cgroup::directories_of(layout, "c1") == std::vector<std::string>{dir.string()});
  cg.add_process(99);
  CHECK(written(dir / "cgroup.procs") == "99");  // once, not once per controller
}

TEST_CASE("v1: a hierarchy that is not mounted is named, with the fix, and nothing is left", "[cgroup][v1][fake][bad-input]") {
  // memory and cpu are mounted (their directories are made first), pids is not.
  fake::V1 fs({"memory", "cpu"});
  cgroup::Limits l;
  l.memory = 64 * kMiB;
  l.pids = 10;
  try {
    cgroup::Cgroup::create(fs.layout, "c1", l).release();
    FAIL("create succeeded without the pids hierarchy");
  } catch (const boxlab::Error& e) {
    std::string message = e.what();
    CHECK(message.find('\n') == std::string::npos);
    CHECK(message.find("pids controller is not mounted") != std::string::npos);
    CHECK(message.find("mount -t cgroup -o pids cgroup /sys/fs/cgroup/pids") != std::string::npos);
  }
  CHECK_FALSE(stdfs::exists(fs.boxlab("memory")));
  CHECK_FALSE(stdfs::exists(fs.boxlab("cpu")));
}

TEST_CASE("v1: a hierarchy that is not mounted and not needed is skipped", "[cgroup][v1][fake]") {
  fake::V1 fs({"memory", "pids"});
  cgroup::Limits l;
  l.pids = 5;
  auto cg = create(fs, "c1", l);
  CHECK(cg.directories().size() == 2);
  CHECK(written(fs.dir("pids", "c1") / "pids.max") == "5");
}

TEST_CASE("v1: join, list and freeze go through every hierarchy", "[cgroup][v1][fake]") {
  fake::V1 fs;
  auto cg = create(fs, "c1", {});
  cg.add_process(4242);
  for (const auto& name : fake::kV1Hierarchies) {
    INFO(name);
    CHECK(written(fs.dir(name, "c1") / "cgroup.procs") == "4242");
  }
  fake::put(fs.dir("memory", "c1") / "cgroup.procs", "4242\n4243\n");
  fake::put(fs.dir("pids", "c1") / "cgroup.procs", "4243\n4244\n");
  auto pids = cg.processes();
  CHECK(std::set<pid_t>(pids.begin(), pids.end()) == std::set<pid_t>{4242, 4243, 4244});
  CHECK(pids.size() == 3);
  cg.freeze();
  CHECK(written(fs.dir("freezer", "c1") / "freezer.state") == "FROZEN");
  cg.thaw();
  CHECK(written(fs.dir("freezer", "c1") / "freezer.state") == "THAWED");
}

TEST_CASE("v1: freezing without the freezer hierarchy says so", "[cgroup][v1][fake][bad-input]") {
  fake::V1 fs({"memory"});
  auto cg = create(fs, "c1", {});
  CHECK_THROWS_WITH(cg.freeze(), test::contains("freezer controller is not mounted"));
}
