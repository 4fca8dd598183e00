// Root tests of container::run with limits (lab 04): the limits at work on busybox (a fork
// loop stops at --pids-limit, a memory hog is OOM-killed and reported as such, a plain
// SIGKILL is not), the container's own view of its cgroup, stats of a running container, and
// that the cgroup and the record go away with the container.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "boxlab/cgroup/cgroup.hpp"
#include "boxlab/container/run.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/container/stats.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "cgroup_support.hpp"
#include "root/no_leaks.hpp"
#include "test_support.hpp"

namespace cgroup = boxlab::cgroup;
namespace container = boxlab::container;
namespace sys = boxlab::sys;
namespace stdfs = std::filesystem;
using cgtest::available;
using namespace std::chrono_literals;

namespace {

constexpr int64_t kMiB = 1024 * 1024;

struct Ran {
  container::RunResult result;
  std::string out;
};

// Run @p spec with its output captured, recorded under @p containers_dir (if not empty).
Ran run_captured(const container::Spec& spec, container::RunOptions options = {}) {
  auto pipe = sys::pipe2();
  options.stdout_fd = pipe.write_end.get();
  options.stderr_fd = pipe.write_end.get();
  auto result = container::run(spec, options);
  pipe.write_end.reset();
  std::string out;
  char buf[4096];
  while (size_t n = sys::read(pipe.read_end.get(), buf, sizeof buf)) out.append(buf, n);
  return {result, out};
}

// A private copy of the busybox rootfs.
struct Rootfs {
  test::TempDir dir;
  stdfs::path path = dir.path() / "rootfs";
  Rootfs() {
    stdfs::copy(test::busybox_rootfs(), path, stdfs::copy_options::recursive | stdfs::copy_options::copy_symlinks);
  }
};

// busybox @p script in a container with @p limits, its own rootfs and cgroup boxlab/<id>.
container::Spec limited_spec(const Rootfs& rootfs, const std::string& id, const cgroup::Limits& limits,
                             const std::string& script) {
  auto spec = container::default_spec({"/bin/sh", "-c", script});
  spec.root.path = rootfs.path;
  container::add_rootfs_defaults(spec);
  container::add_cgroup_defaults(spec, id, limits);
  return spec;
}

cgroup::Limits memory_limit(int64_t bytes) {
  cgroup::Limits l;
  l.memory = bytes;
  return l;
}

using test::NoLeaks;

}  // namespace

TEST_CASE("--pids-limit stops a fork loop inside the container", "[root][cgroup][container]") {
  NoLeaks no_leaks;
  auto layout = cgroup::detect_layout();
  if (!available(layout, "pids")) {
    WARN("no pids controller here: not tested");
    return;
  }
  Rootfs rootfs;
  cgroup::Limits l;
  l.pids = 10;
  std::string id = cgtest::make_id(cgtest::make_token(), 1);
  auto begin = std::chrono::steady_clock::now();
  auto r = run_captured(limited_spec(rootfs, id, l,
                                     "i=0; while [ $i -lt 50 ]; do sleep 1000 & i=$((i+1)); done; echo forked $i"));
  INFO(r.out);
  CHECK(r.out.find("can't fork") != std::string::npos);
  CHECK(r.out.find("forked 50") == std::string::npos);
  CHECK(r.result.docker_code() != 0);
  CHECK_FALSE(r.result.oom_killed);
  CHECK(std::chrono::steady_clock::now() - begin < 20s);  // the sleeps died with the container
  CHECK(cgtest::existing(cgroup::directories_of(layout, id)).empty());
}

TEST_CASE("a memory hog is OOM-killed: exit 137 and oom_killed", "[root][cgroup][container]") {
  NoLeaks no_leaks;
  auto layout = cgroup::detect_layout();
  if (!available(layout, "memory")) {
    WARN("no memory controller here: not tested");
    return;
  }
  Rootfs rootfs;
  std::string id = cgtest::make_id(cgtest::make_token(), 2);
  container::RunOptions options;
  options.id = id;
  auto r = run_captured(limited_spec(rootfs, id, memory_limit(16 * kMiB), "x=a; while :; do x=$x$x; done"), options);
  INFO(r.out);
  CHECK(r.result.docker_code() == 137);
  CHECK(r.result.status.signaled);
  CHECK(r.result.oom_killed);
  CHECK(r.result.id == id);
  CHECK(cgtest::existing(cgroup::directories_of(layout, id)).empty());
}

TEST_CASE("a SIGKILL that is not the OOM killer's is 137 without oom_killed", "[root][cgroup][container]") {
  NoLeaks no_leaks;
  auto layout = cgroup::detect_layout();
  if (!available(layout, "memory")) {
    WARN("no memory controller here: not tested");
    return;
  }
  SECTION("a shell killed inside a container, as in docker run --memory 64m busybox sh -c 'sh -c \"kill -9 $$\"'") {
    // The container's PID 1 ignores signals from inside its namespace, so the kill is one level
    // down; "; exit $?" keeps busybox sh from exec'ing the inner sh as PID 1 itself.
    Rootfs rootfs;
    std::string id = cgtest::make_id(cgtest::make_token(), 3);
    auto r = run_captured(limited_spec(rootfs, id, memory_limit(64 * kMiB), "sh -c 'kill -9 $$'; exit $?"));
    INFO(r.out);
    CHECK(r.result.docker_code() == 137);
    CHECK_FALSE(r.result.oom_killed);
  }
  SECTION("the container's first process killed, without a PID namespace") {
    auto spec = container::default_spec({"/bin/sh", "-c", "kill -9 $$"});
    std::erase_if(spec.linux.namespaces, [](const auto& n) { return n.kind == boxlab::ns::Kind::pid; });
    container::add_cgroup_defaults(spec, cgtest::make_id(cgtest::make_token(), 4), memory_limit(64 * kMiB));
    auto r = run_captured(spec);
    CHECK(r.result.status.signaled);
    CHECK(r.result.status.signal == SIGKILL);
    CHECK(r.result.docker_code() == 137);
    CHECK_FALSE(r.result.oom_killed);
  }
}

TEST_CASE("inside, the container sees its own limit at /sys/fs/cgroup and its cgroup as /", "[root][cgroup][container]") {
  NoLeaks no_leaks;
  auto layout = cgroup::detect_layout();
  if (!available(layout, "memory")) {
    WARN("no memory controller here: not tested");
    return;
  }
  Rootfs rootfs;
  std::string limit_file = layout.version == cgroup::Version::v2 ? "/sys/fs/cgroup/memory.max"
                                                                 : "/sys/fs/cgroup/memory/memory.limit_in_bytes";
  std::string id = cgtest::make_id(cgtest::make_token(), 5);
  auto r = run_captured(limited_spec(rootfs, id, memory_limit(64 * kMiB),
                                     "cat " + limit_file + "; echo ---; cat /proc/self/cgroup; echo ---; "
                                     "touch /sys/fs/cgroup/x 2>/dev/null && echo writable || echo read-only; "
                                     "find /sys/fs/cgroup -name 'boxlab*' | wc -l"));
  INFO(r.out);
  CHECK(r.result.docker_code() == 0);
  std::istringstream in(r.out);
  std::string line;
  std::getline(in, line);
  CHECK(line == "67108864");
  std::getline(in, line);
  CHECK(line == "---");
  int cgroup_lines = 0;
  while (std::getline(in, line) && line != "---") {
    ++cgroup_lines;
    INFO(line);
    CHECK(line.size() >= 2);
    CHECK(line.substr(line.size() - 2) == ":/");  // the cgroup namespace's root is its own cgroup
  }
  CHECK(cgroup_lines >= 1);
  std::getline(in, line);
  CHECK(line == "read-only");
  std::getline(in, line);
  CHECK(line == "0");  // nothing of the host's boxlab/ shows
}

TEST_CASE("stats samples a running container; its cgroup and record go when it ends", "[root][cgroup][container]") {
  NoLeaks no_leaks;
  auto layout = cgroup::detect_layout();
  bool memory = available(layout, "memory"), pids = available(layout, "pids");
  test::TempDir state;
  std::string containers = (state.path() / "containers").string();
  cgroup::Limits l;
  if (memory) l.memory = 64 * kMiB;
  if (pids) l.pids = 20;
  std::string id = cgtest::make_id(cgtest::make_token(), 6);
  auto spec = container::default_spec({"/bin/sleep", "1000"});
  container::add_cgroup_defaults(spec, id, l);
  container::RunOptions options;
  options.containers_dir = containers;
  options.id = id;
  std::vector<container::ContainerStats> sampled;
  container::State recorded;
  std::vector<std::string> dirs_while_running;
  options.on_started = [&](pid_t pid) {
    recorded = container::state_from_json(sys::read_file(containers + "/" + id + "/state.json"), "state.json");
    dirs_while_running = cgtest::existing(cgroup::directories_of(layout, id));
    try {
      sampled = container::sample_stats(containers, {id.substr(0, 12)}, 200ms);
    } catch (...) {
      sys::kill(pid, SIGKILL);
      throw;
    }
    sys::kill(pid, SIGKILL);
  };
  auto r = run_captured(spec, options);
  CHECK(r.result.docker_code() == 137);
  CHECK_FALSE(r.result.oom_killed);

  CHECK(recorded.id == id);
  CHECK(recorded.status == "running");
  CHECK(recorded.process_alive() == false);  // it has ended by now
  std::set<std::string> recorded_dirs(recorded.cgroup_dirs.begin(), recorded.cgroup_dirs.end());
  CHECK(recorded_dirs == std::set<std::string>(dirs_while_running.begin(), dirs_while_running.end()));
  CHECK_FALSE(recorded.cgroup_dirs.empty());

  REQUIRE(sampled.size() == 1);
  CHECK(sampled[0].id == id);
  CHECK(sampled[0].cpu_percent >= 0);
  if (memory) {
    CHECK(sampled[0].memory_limit == uint64_t(64 * kMiB));
    CHECK(sampled[0].memory_usage > 0);
  }
  if (pids) CHECK(sampled[0].pids == 1);
  CHECK(container::format_stats(sampled).find(id.substr(0, 12) + "   ") != std::string::npos);

  CHECK(cgtest::existing(cgroup::directories_of(layout, id)).empty());
  CHECK(cgtest::records(containers).empty());
}

TEST_CASE("a bad limit is refused before anything is made", "[root][cgroup][container][bad-input]") {
  NoLeaks no_leaks;
  auto layout = cgroup::detect_layout();
  test::TempDir state;
  std::string containers = (state.path() / "containers").string();
  std::string id = cgtest::make_id(cgtest::make_token(), 7);
  auto spec = container::default_spec({"/bin/true"});
  container::add_cgroup_defaults(spec, id, memory_limit(1 * kMiB));
  container::RunOptions options;
  options.containers_dir = containers;
  options.id = id;
  CHECK_THROWS_WITH(container::run(spec, options), test::contains("the minimum is 6m"));
  CHECK(cgtest::existing(cgroup::directories_of(layout, id)).empty());
  CHECK(cgtest::records(containers).empty());
}
