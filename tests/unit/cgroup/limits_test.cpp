// Limits as Docker's flags spell them: sizes in Docker's units (go-units RAMInBytes), cpuset
// lists, device rates, and the checks made before any cgroup exists.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <filesystem>

#include "boxlab/cgroup/limits.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"

namespace cgroup = boxlab::cgroup;


namespace {

constexpr int64_t kKiB = 1024, kMiB = 1024 * kKiB, kGiB = 1024 * kMiB;

cgroup::Limits with_memory(int64_t memory) {
  cgroup::Limits l;
  l.memory = memory;
  return l;
}

}  // namespace

TEST_CASE("parse_size takes Docker's units, case-insensitive, binary multiples", "[cgroup][limits]") {
  CHECK(cgroup::parse_size("64m", "--memory") == 64 * kMiB);
  CHECK(cgroup::parse_size("64M", "--memory") == 64 * kMiB);
  CHECK(cgroup::parse_size("64mb", "--memory") == 64 * kMiB);
  CHECK(cgroup::parse_size("64MB", "--memory") == 64 * kMiB);
  CHECK(cgroup::parse_size("1g", "--memory") == kGiB);
  CHECK(cgroup::parse_size("1gb", "--memory") == kGiB);
  CHECK(cgroup::parse_size("512k", "--memory") == 512 * kKiB);
  CHECK(cgroup::parse_size("512kb", "--memory") == 512 * kKiB);
  CHECK(cgroup::parse_size("2t", "--memory") == 2 * 1024 * kGiB);
  CHECK(cgroup::parse_size("4096", "--memory") == 4096);
  CHECK(cgroup::parse_size("4096b", "--memory") == 4096);
  CHECK(cgroup::parse_size("4096B", "--memory") == 4096);
  CHECK(cgroup::parse_size("1.5k", "--memory") == 1536);
  CHECK(cgroup::parse_size("0.5g", "--memory") == 512 * kMiB);
  CHECK(cgroup::parse_size("0", "--memory") == 0);
  CHECK(cgroup::parse_size("-1", "--memory-swap") == -1);  // --memory-swap's "unlimited"
}

TEST_CASE("parse_size refuses what is not a size, naming the flag and the input", "[cgroup][limits][bad-input]") {
  for (const char* bad : {"12xb", "", "-5m", "m", "mb", "12bb", "1.5.5m", "64m ", "x64m", "-2", "+5m",
                          "0x10", "nan", "inf", "-inf", "1e400"}) {
    INFO("input '" << bad << "'");
    CHECK_THROWS_WITH(cgroup::parse_size(bad, "--memory"),
                      test::contains("--memory '" + std::string(bad) + "'") && test::contains("expected a size such as 64m"));
  }
}

TEST_CASE("parse_size refuses sizes that do not fit in 64 bits", "[cgroup][limits][bad-input]") {
  CHECK_THROWS_AS(cgroup::parse_size("100000000000t", "--memory"), boxlab::Error);
  CHECK_THROWS_AS(cgroup::parse_size("99999999999999999999", "--memory"), boxlab::Error);
  CHECK(cgroup::parse_size("8388607t", "--memory") == int64_t{8388607} * 1024 * kGiB);
}

TEST_CASE("parse_cpu_list expands ranges", "[cgroup][limits]") {
  CHECK(cgroup::parse_cpu_list("0") == std::vector<unsigned>{0});
  CHECK(cgroup::parse_cpu_list("0-2,4") == std::vector<unsigned>{0, 1, 2, 4});
  CHECK(cgroup::parse_cpu_list("3,1") == std::vector<unsigned>{3, 1});
  CHECK(cgroup::parse_cpu_list("5-5") == std::vector<unsigned>{5});
  CHECK(cgroup::parse_cpu_list("0-1,8-9") == std::vector<unsigned>{0, 1, 8, 9});
}

TEST_CASE("parse_cpu_list refuses bad lists", "[cgroup][limits][bad-input]") {
  for (const char* bad : {"", "a", "2-1", "1-", "-1", "1,,2", ",1", "1-2-3", "0 1", "1;2", "0-4294967295", "99999999999"}) {
    INFO("list '" << bad << "'");
    CHECK_THROWS_WITH(cgroup::parse_cpu_list(bad), test::contains("expected a list such as 0-2,4"));
  }
}

TEST_CASE("validate accepts what Docker accepts", "[cgroup][limits]") {
  cgroup::Limits l;
  CHECK_NOTHROW(cgroup::validate(l, 2, "0-1"));  // nothing limited
  l.memory = 6 * kMiB;                            // the minimum
  l.memory_swap = -1;
  l.memory_reservation = 4 * kMiB;
  l.cpus = 2;
  l.cpu_shares = 2;
  l.cpuset_cpus = "0-1";
  l.pids = -1;
  CHECK_NOTHROW(cgroup::validate(l, 2, "0-1"));
  l.memory_swap = 6 * kMiB;  // memory plus no swap
  l.cpus = 0.01;
  l.cpu_shares = 262144;
  l.cpuset_cpus = "1";
  l.pids = 1;
  CHECK_NOTHROW(cgroup::validate(l, 2, "0-1"));
}

TEST_CASE("validate refuses limits the kernel would refuse, in one line naming the flag", "[cgroup][limits][bad-input]") {
  auto refused = [](const cgroup::Limits& l, const std::string& why, unsigned cpus = 2, const std::string& host = "0-1") {
    try {
      cgroup::validate(l, cpus, host);
      FAIL("accepted; expected: " << why);
    } catch (const boxlab::Error& e) {
      std::string message = e.what();
      INFO(message);
      CHECK(message.find(why) != std::string::npos);
      CHECK(message.find('\n') == std::string::npos);
    }
  };
  refused(with_memory(6 * kMiB - 1), "--memory 6291455 bytes: the minimum is 6m");
  refused(with_memory(4 * kKiB), "the minimum is 6m");

  auto l = with_memory(64 * kMiB);
  l.memory_swap = 32 * kMiB;
  refused(l, "--memory-swap must be at least --memory");

  cgroup::Limits swap_alone;
  swap_alone.memory_swap = 64 * kMiB;
  refused(swap_alone, "--memory-swap needs --memory");

  l = with_memory(64 * kMiB);
  l.memory_reservation = 128 * kMiB;
  refused(l, "--memory-reservation must be below --memory");

  cgroup::Limits cpus;
  cpus.cpus = 0;
  refused(cpus, "--cpus 0: must be between 0.01 and the 2 CPUs of this machine");
  cpus.cpus = 2.5;
  refused(cpus, "--cpus 2.5: must be between 0.01 and the 2 CPUs");
  cpus.cpus = -1;
  refused(cpus, "--cpus -1");
  cpus.cpus = 0.001;
  refused(cpus, "--cpus: the minimum is 0.01");

  cgroup::Limits shares;
  shares.cpu_shares = 1;
  refused(shares, "--cpu-shares 1: must be between 2 and 262144");
  shares.cpu_shares = 262145;
  refused(shares, "--cpu-shares 262145");

  cgroup::Limits cpuset;
  cpuset.cpuset_cpus = "0-3";
  refused(cpuset, "--cpuset-cpus 0-3: CPU 2 does not exist here (CPUs: 0-1)");
  cpuset.cpuset_cpus = "1";
  refused(cpuset, "CPU 1 does not exist here (CPUs: 0,2-3)", 3, "0,2-3");
  cpuset.cpuset_cpus = "x";
  refused(cpuset, "expected a list such as 0-2,4");

  cgroup::Limits pids;
  pids.pids = -2;
  refused(pids, "--pids-limit must be -1 (unlimited) or positive");
}

TEST_CASE("validate_on_this_machine knows this machine's CPUs", "[cgroup][limits]") {
  cgroup::Limits l;
  l.cpus = 0.5;
  l.cpuset_cpus = "0";
  CHECK_NOTHROW(cgroup::validate_on_this_machine(l));
  l.cpuset_cpus = "4000";
  CHECK_THROWS_WITH(cgroup::validate_on_this_machine(l), test::contains("CPU 4000 does not exist here"));
}

TEST_CASE("parse_device_rate wants a block device and a positive rate", "[cgroup][limits][bad-input]") {
  CHECK_THROWS_WITH(cgroup::parse_device_rate("/dev/sda", "--device-read-bps"),
                    test::contains("--device-read-bps '/dev/sda': expected DEVICE:RATE"));
  CHECK_THROWS_WITH(cgroup::parse_device_rate("/dev/null:1mb", "--device-read-bps"),
                    test::contains("--device-read-bps /dev/null: not a block device"));
  CHECK_THROWS_WITH(cgroup::parse_device_rate("/no/such/dev:1mb", "--device-write-bps"),
                    test::contains("--device-write-bps /no/such/dev") && test::contains("No such file"));
  // A block device of this machine, if it has one we can see.
  std::string device;
  for (const auto& e : std::filesystem::directory_iterator("/dev")) {
    struct stat st{};
    if (::stat(e.path().c_str(), &st) == 0 && S_ISBLK(st.st_mode)) {
      device = e.path().string();
      break;
    }
  }
  if (device.empty()) {
    WARN("no block device in /dev: the accepted case is not tested");
    return;
  }
  struct stat st{};
  ::stat(device.c_str(), &st);
  auto rate = cgroup::parse_device_rate(device + ":1mb", "--device-read-bps");
  CHECK(rate.major == major(st.st_rdev));
  CHECK(rate.minor == minor(st.st_rdev));
  CHECK(rate.bytes_per_second == 1048576);
  CHECK_THROWS_WITH(cgroup::parse_device_rate(device + ":0", "--device-read-bps"), test::contains("the rate must be positive"));
  CHECK_THROWS_WITH(cgroup::parse_device_rate(device + ":fast", "--device-read-bps"), test::contains("expected a size"));
}

TEST_CASE("Limits::empty is true only when nothing is limited", "[cgroup][limits]") {
  CHECK(cgroup::Limits{}.empty());
  CHECK_FALSE(with_memory(64 * kMiB).empty());
  cgroup::Limits l;
  l.device_write_bps.push_back({8, 0, 1});
  CHECK_FALSE(l.empty());
}
