// cgroup v2 backend against a fake unified tree (fake_cgroupfs.hpp): which value lands in which
// file for each of Docker's flags, which controllers are enabled where, and what a missing
// controller says. The real kernel is tested by tests/root/cgroup.
#include <string>

#include "boxlab/cgroup/cgroup.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"
#include "fake_cgroupfs.hpp"

namespace cgroup = boxlab::cgroup;
using fake::written;

namespace {

constexpr int64_t kMiB = 1024 * 1024;

// Create container @p id in @p fs with @p limits, and keep the directories (release()).
cgroup::Cgroup create(const fake::V2& fs, const std::string& id, const cgroup::Limits& limits) {
  fs.expect_container(id);
  cgroup::Cgroup cg = cgroup::Cgroup::create(fs.layout, id, limits);
  cg.release();
  return cg;
}

}  // namespace

TEST_CASE("v2: each limit is written to its file, in the kernel's units", "[cgroup][v2][fake]") {
  fake::V2 fs;
  cgroup::Limits l;
  l.memory = 64 * kMiB;
  l.memory_reservation = 32 * kMiB;
  l.cpus = 0.5;
  l.cpu_shares = 512;
  l.cpuset_cpus = "0-1";
  l.pids = 100;
  l.device_read_bps = {{8, 0, 1048576}};
  l.device_write_bps = {{8, 0, 2097152}};
  auto cg = create(fs, "c1", l);
  auto leaf = fs.leaf("c1");
  CHECK(cg.directories() == std::vector<std::string>{leaf.string()});
  CHECK(written(leaf / "memory.max") == "67108864");
  CHECK(written(leaf / "memory.swap.max") == "67108864");  // --memory-swap unset: swap = memory
  CHECK(written(leaf / "memory.low") == "33554432");
  CHECK(written(leaf / "cpu.max") == "50000 100000");
  CHECK(written(leaf / "cpu.weight") == "20");  // runc: 1 + ((512 - 2) * 9999) / 262142
  CHECK(written(leaf / "cpuset.cpus") == "0-1");
  CHECK(written(leaf / "pids.max") == "100");
  CHECK(written(leaf / "io.max") == "8:0 rbps=1048576 wbps=2097152");
  CHECK(written(leaf / "cgroup.procs").empty());  // nobody joined yet
}

TEST_CASE("v2: only the files of the limits given are written", "[cgroup][v2][fake]") {
  fake::V2 fs;
  cgroup::Limits l;
  l.pids = 10;
  create(fs, "c1", l);
  auto leaf = fs.leaf("c1");
  CHECK(written(leaf / "pids.max") == "10");
  for (const char* untouched : {"memory.max", "memory.swap.max", "memory.low", "cpu.max", "cpu.weight", "cpuset.cpus",
                                "io.max", "cgroup.freeze"}) {
    INFO(untouched);
    CHECK(fake::raw(leaf / untouched).empty());
  }
}

TEST_CASE("v2: --memory-swap is memory plus swap; memory.swap.max holds the swap alone", "[cgroup][v2][fake]") {
  fake::V2 fs;
  cgroup::Limits l;
  l.memory = 64 * kMiB;
  SECTION("unset: as much swap as memory (Docker's default)") {
    create(fs, "c1", l);
    CHECK(written(fs.leaf("c1") / "memory.swap.max") == "67108864");
  }
  SECTION("-1: unlimited swap") {
    l.memory_swap = -1;
    create(fs, "c1", l);
    CHECK(written(fs.leaf("c1") / "memory.swap.max") == "max");
  }
  SECTION("a total: the total minus the memory") {
    l.memory_swap = 100 * kMiB;
    create(fs, "c1", l);
    CHECK(written(fs.leaf("c1") / "memory.swap.max") == std::to_string(36 * kMiB));
  }
  SECTION("equal to --memory: no swap at all") {
    l.memory_swap = 64 * kMiB;
    create(fs, "c1", l);
    CHECK(written(fs.leaf("c1") / "memory.swap.max") == "0");
  }
  CHECK(written(fs.leaf("c1") / "memory.max") == "67108864");
}

TEST_CASE("v2: without swap accounting (no memory.swap.max) the memory limit still works", "[cgroup][v2][fake]") {
  fake::V2 fs;
  std::vector<std::string> files = fake::kV2Files;
  std::erase(files, "memory.swap.max");
  fs.expect_container("c1", files);
  cgroup::Limits l;
  l.memory = 64 * kMiB;
  auto cg = cgroup::Cgroup::create(fs.layout, "c1", l);
  cg.release();
  CHECK(written(fs.leaf("c1") / "memory.max") == "67108864");
  CHECK_FALSE(std::filesystem::exists(fs.leaf("c1") / "memory.swap.max"));
}

TEST_CASE("v2: --cpu-shares becomes cpu.weight by runc's formula", "[cgroup][v2][fake]") {
  // runc libcontainer/cgroups/utils.go ConvertCPUSharesToCgroupV2Value: 1 + ((s - 2) * 9999) / 262142,
  // mapping v1's [2, 262144] (default 1024) onto v2's [1, 10000] (default 100).
  const std::pair<uint64_t, std::string> cases[] = {{2, "1"}, {512, "20"}, {1024, "39"}, {262144, "10000"}};
  for (const auto& [shares, weight] : cases) {
    fake::V2 fs;
    cgroup::Limits l;
    l.cpu_shares = shares;
    create(fs, "c1", l);
    INFO("shares " << shares);
    CHECK(written(fs.leaf("c1") / "cpu.weight") == weight);
  }
}

TEST_CASE("v2: --cpus is a CFS quota per 100 ms period", "[cgroup][v2][fake]") {
  const std::pair<double, std::string> cases[] = {{0.5, "50000 100000"}, {1.5, "150000 100000"}, {0.01, "1000 100000"},
                                                   {2, "200000 100000"}};
  for (const auto& [cpus, max] : cases) {
    fake::V2 fs;
    cgroup::Limits l;
    l.cpus = cpus;
    create(fs, "c1", l);
    INFO("cpus " << cpus);
    CHECK(written(fs.leaf("c1") / "cpu.max") == max);
  }
}

TEST_CASE("v2: --pids-limit -1 and 0 mean no limit", "[cgroup][v2][fake]") {
  for (int64_t unlimited : {int64_t{-1}, int64_t{0}}) {
    fake::V2 fs;
    cgroup::Limits l;
    l.pids = unlimited;
    create(fs, "c1", l);
    CHECK(written(fs.leaf("c1") / "pids.max") == "max");
  }
}

TEST_CASE("v2: the controllers are enabled in the runtime's cgroup and in boxlab/", "[cgroup][v2][fake]") {
  SECTION("all five, in both") {
    fake::V2 fs;
    create(fs, "c1", {});
    CHECK(written(fs.own() / "cgroup.subtree_control") == "+cpu +cpuset +io +memory +pids");
    CHECK(written(fs.boxlab() / "cgroup.subtree_control") == "+cpu +cpuset +io +memory +pids");
  }
  SECTION("only those the parent offers") {
    fake::V2 fs("memory pids");
    create(fs, "c1", {});
    CHECK(written(fs.own() / "cgroup.subtree_control") == "+memory +pids");
  }
  SECTION("those already enabled are left alone") {
    fake::V2 fs;
    fake::put(fs.own() / "cgroup.subtree_control", "cpuset cpu io memory pids\n");
    create(fs, "c1", {});
    CHECK(fake::raw(fs.own() / "cgroup.subtree_control") == "cpuset cpu io memory pids\n");
  }
  SECTION("in a second container's run, nothing is written again") {
    fake::V2 fs;
    fs.expect_container("c1");
    fake::put(fs.own() / "cgroup.subtree_control", "cpuset cpu io memory pids\n");
    fake::put(fs.boxlab() / "cgroup.subtree_control", "cpu cpuset io memory pids\n");
    create(fs, "c2", {});
    CHECK(fake::raw(fs.boxlab() / "cgroup.subtree_control") == "cpu cpuset io memory pids\n");
    CHECK(std::filesystem::is_directory(fs.leaf("c1")));
    CHECK(std::filesystem::is_directory(fs.leaf("c2")));
  }
}

TEST_CASE("v2: a controller the parent lacks is named, with the fix, and nothing is made", "[cgroup][v2][fake][bad-input]") {
  fake::V2 fs("cpu memory");  // no pids
  cgroup::Limits l;
  l.memory = 64 * kMiB;
  l.pids = 10;
  try {
    cgroup::Cgroup::create(fs.layout, "c1", l).release();
    FAIL("create succeeded without the pids controller");
  } catch (const boxlab::Error& e) {
    std::string message = e.what();
    CHECK(message.find('\n') == std::string::npos);
    CHECK(message.find("pids controller") != std::string::npos);
    CHECK(message.find("echo +pids > ") != std::string::npos);
    CHECK(message.find("cgroup.subtree_control") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(fs.boxlab()));
  CHECK(fake::raw(fs.own() / "cgroup.subtree_control").empty());
}

TEST_CASE("v2: a write that fails removes the container's directory again", "[cgroup][v2][fake][bad-input]") {
  fake::V2 fs;
  fs.expect_container("c1", {});  // the leaf, without pids.max: the write fails (ENOENT)
  cgroup::Limits l;
  l.pids = 10;
  CHECK_THROWS_WITH(cgroup::Cgroup::create(fs.layout, "c1", l),
                    test::contains("pids.max") && test::contains("controller is missing"));
  CHECK_FALSE(std::filesystem::exists(fs.leaf("c1")));
}

TEST_CASE("v2: join, list, freeze and thaw go through cgroup.procs and cgroup.freeze", "[cgroup][v2][fake]") {
  fake::V2 fs;
  auto cg = create(fs, "c1", {});
  auto leaf = fs.leaf("c1");
  cg.add_process(4242);
  CHECK(written(leaf / "cgroup.procs") == "4242");
  fake::put(leaf / "cgroup.procs", "4242\n4243\n");
  CHECK(cg.processes() == std::vector<pid_t>{4242, 4243});
  cg.freeze();
  CHECK(written(leaf / "cgroup.freeze") == "1");
  cg.thaw();
  CHECK(written(leaf / "cgroup.freeze") == "0");
}

TEST_CASE("v2: adopt takes the recorded directory back", "[cgroup][v2][fake]") {
  fake::V2 fs;
  fs.expect_container("c1");
  fake::put(fs.leaf("c1") / "cgroup.procs", "7\n");
  auto cg = cgroup::Cgroup::adopt(fs.layout, {fs.leaf("c1").string()});
  cg.release();
  CHECK(cg.directories() == std::vector<std::string>{fs.leaf("c1").string()});
  CHECK(cg.processes() == std::vector<pid_t>{7});
}
