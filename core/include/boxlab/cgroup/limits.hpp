/**
 * @file limits.hpp
 * @brief Resource limits as Docker's flags spell them, parsed and checked before use.
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boxlab::cgroup {

/// A bandwidth limit on one block device (--device-read-bps /dev/sda:1mb).
struct DeviceRate {
  unsigned major = 0;          ///< the device's major number
  unsigned minor = 0;          ///< the device's minor number
  uint64_t bytes_per_second = 0;  ///< the rate
};

/// What `docker run` can limit. Unset members mean "no limit".
struct Limits {
  std::optional<int64_t> memory;              ///< --memory, bytes
  std::optional<int64_t> memory_swap;         ///< --memory-swap: memory + swap, bytes; -1 unlimited
  std::optional<int64_t> memory_reservation;  ///< --memory-reservation, bytes (a soft limit)
  std::optional<double> cpus;                 ///< --cpus, in CPUs (0.5 = half of one)
  std::optional<uint64_t> cpu_shares;         ///< --cpu-shares, relative weight (default 1024)
  std::optional<std::string> cpuset_cpus;     ///< --cpuset-cpus, e.g. "0-1,3"
  std::optional<int64_t> pids;                ///< --pids-limit; -1 unlimited
  std::vector<DeviceRate> device_read_bps;    ///< --device-read-bps
  std::vector<DeviceRate> device_write_bps;   ///< --device-write-bps

  /// True when nothing is limited.
  bool empty() const;
};

/// The smallest --memory Docker accepts (6 MiB): below it a container cannot even start.
inline constexpr int64_t kMinimumMemory = 6 * 1024 * 1024;

/// Parse a size as Docker does: a number with an optional unit b, k, m, g (or kb, mb, gb;
/// case-insensitive; binary multiples). Throws boxlab::Error naming @p flag on bad input.
int64_t parse_size(std::string_view text, std::string_view flag);

/// Parse "--device-read-bps /dev/sda:1mb" (the device must be a block device).
DeviceRate parse_device_rate(std::string_view text, std::string_view flag);

/// Parse a cpuset list "0-2,4" into CPU numbers; throws on bad syntax.
std::vector<unsigned> parse_cpu_list(std::string_view text);

/// Check @p limits against each other and the machine (@p online_cpus, the host's cpuset):
/// the kernel's minimums, --cpus within the CPUs there are, a cpuset that exists. Throws a
/// one-line boxlab::Error saying what is wrong.
void validate(const Limits& limits, unsigned online_cpus, const std::string& host_cpuset);

/// validate() against this machine: its online CPUs (/sys/devices/system/cpu/online).
void validate_on_this_machine(const Limits& limits);

}  // namespace boxlab::cgroup
