// `stats` as docker prints it: sizes with binary units and 4 significant digits, the columns,
// and which containers are sampled. Real samples of real containers: tests/root/cgroup.
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "boxlab/container/state.hpp"
#include "boxlab/container/stats.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/text.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;

using namespace std::chrono_literals;

TEST_CASE("human_size prints binary units with at most 4 significant digits", "[container][stats]") {
  CHECK(boxlab::sys::human_size(0) == "0B");
  CHECK(boxlab::sys::human_size(1) == "1B");
  CHECK(boxlab::sys::human_size(1023) == "1023B");
  CHECK(boxlab::sys::human_size(1024) == "1KiB");
  CHECK(boxlab::sys::human_size(1536) == "1.5KiB");
  CHECK(boxlab::sys::human_size(64ull << 20) == "64MiB");
  CHECK(boxlab::sys::human_size((64ull << 20) + (1ull << 19)) == "64.5MiB");
  CHECK(boxlab::sys::human_size(3ull << 30) == "3GiB");
  CHECK(boxlab::sys::human_size(1ull << 40) == "1TiB");
  CHECK(boxlab::sys::human_size(2048ull << 40) == "2048TiB");  // TiB is the largest unit
  CHECK(boxlab::sys::human_size(123456789) == "117.7MiB");
  CHECK(boxlab::sys::human_size(8388608 - 2097152) == "6MiB");
}

TEST_CASE("format_stats prints docker stats' columns, one line per container", "[container][stats]") {
  container::ContainerStats a;
  a.id = std::string("0123456789ab") + std::string(52, 'c');
  a.cpu_percent = 12.5;
  a.memory_usage = 64ull << 20;
  a.memory_limit = 128ull << 20;
  a.pids = 3;
  container::ContainerStats b;
  b.id = std::string(64, 'f');
  std::string table = container::format_stats({a, b});
  std::istringstream lines(table);
  std::string header, first, second, extra;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  CHECK_FALSE(std::getline(lines, extra));
  CHECK(header.rfind("CONTAINER ID   CPU %     MEM USAGE / LIMIT       MEM %     PIDS", 0) == 0);
  // Each column starts where its header does.
  CHECK(first.substr(0, 15) == "0123456789ab   ");
  CHECK(first.substr(header.find("CPU %"), 6) == "12.50%");
  CHECK(first.substr(header.find("MEM USAGE"), 15) == "64MiB / 128MiB ");
  CHECK(first.substr(header.find("MEM %"), 6) == "50.00%");
  CHECK(first.substr(header.find("PIDS")) == "3");
  CHECK(second.rfind("ffffffffffff   0.00%     0B / 0B", 0) == 0);  // no limit known: no division by 0
  CHECK(second.substr(header.find("MEM %"), 5) == "0.00%");
  CHECK(container::format_stats({}) == header + "\n");
}

TEST_CASE("sample_stats with no running containers prints nothing", "[container][stats]") {
  test::TempDir tmp;
  CHECK(container::sample_stats(tmp.path() / "none", {}, 1ms).empty());
  // A record that is not running (created, or its process gone) is not sampled.
  container::State created;
  created.id = std::string(64, 'a');
  auto r1 = container::StateRecord::create(tmp.path(), created);
  container::State gone;
  gone.id = std::string(64, 'b');
  gone.status = "running";
  gone.pid = ::getpid();
  gone.pid_start_time = boxlab::sys::process_start_time(::getpid()) + 1;  // the PID was reused
  gone.cgroup_dirs = {"/nonexistent"};
  auto r2 = container::StateRecord::create(tmp.path(), gone);
  CHECK(container::sample_stats(tmp.path(), {}, 1ms).empty());
}

TEST_CASE("sample_stats names a container that does not exist or does not run", "[container][stats][bad-input]") {
  test::TempDir tmp;
  container::State created;
  created.id = std::string(64, 'a');
  auto r = container::StateRecord::create(tmp.path(), created);
  CHECK_THROWS_WITH(container::sample_stats(tmp.path(), {"ff"}, 1ms), "No such container: ff");
  CHECK_THROWS_WITH(container::sample_stats(tmp.path(), {"aaa"}, 1ms),
                    "container aaaaaaaaaaaa is not running or has no cgroup");
}
