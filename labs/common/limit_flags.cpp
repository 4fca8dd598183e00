// docker run's resource flags, spelled as Docker spells them.
#include "limit_flags.hpp"

#include <charconv>

#include "boxlab/sys/error.hpp"

namespace labcli {
namespace {

template <typename Number>
Number parse_number(const std::string& text, const std::string& flag) {
  Number value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw boxlab::Error(flag + " '" + text + "': expected a number");
  return value;
}

}  // namespace

void add_limit_flags(CLI::App& run, LimitFlags& f) {
  run.add_option("-m,--memory", f.memory, "Memory limit (e.g. 64m, 1g); the OOM killer acts above it");
  run.add_option("--memory-swap", f.memory_swap, "Memory plus swap limit; -1 for unlimited swap");
  run.add_option("--memory-reservation", f.memory_reservation, "Soft memory limit");
  run.add_option("--cpus", f.cpus, "Number of CPUs (e.g. 0.5: half of one CPU's time)");
  run.add_option("-c,--cpu-shares", f.cpu_shares, "CPU shares (relative weight, default 1024)");
  run.add_option("--cpuset-cpus", f.cpuset_cpus, "CPUs in which to allow execution (0-3, 0,1)");
  run.add_option("--pids-limit", f.pids_limit, "Maximum number of processes and threads (-1: unlimited)");
  run.add_option("--device-read-bps", f.device_read_bps, "Limit read rate from a device (/dev/sda:1mb)")
      ->allow_extra_args(false);
  run.add_option("--device-write-bps", f.device_write_bps, "Limit write rate to a device (/dev/sda:1mb)")
      ->allow_extra_args(false);
}

// Docker reads 0 as "not set" for sizes and shares.
static std::optional<int64_t> size_flag(const std::optional<std::string>& text, const char* flag) {
  if (!text) return std::nullopt;
  int64_t bytes = boxlab::cgroup::parse_size(*text, flag);
  return bytes == 0 ? std::nullopt : std::optional<int64_t>(bytes);
}

boxlab::cgroup::Limits limits_from_flags(const LimitFlags& f) {
  boxlab::cgroup::Limits l;
  l.memory = size_flag(f.memory, "--memory");
  l.memory_swap = size_flag(f.memory_swap, "--memory-swap");
  l.memory_reservation = size_flag(f.memory_reservation, "--memory-reservation");
  if (f.cpus) l.cpus = parse_number<double>(*f.cpus, "--cpus");
  if (f.cpu_shares && parse_number<uint64_t>(*f.cpu_shares, "--cpu-shares") != 0)
    l.cpu_shares = parse_number<uint64_t>(*f.cpu_shares, "--cpu-shares");
  if (f.cpuset_cpus) l.cpuset_cpus = *f.cpuset_cpus;
  if (f.pids_limit) l.pids = parse_number<int64_t>(*f.pids_limit, "--pids-limit");
  for (const auto& d : f.device_read_bps) l.device_read_bps.push_back(boxlab::cgroup::parse_device_rate(d, "--device-read-bps"));
  for (const auto& d : f.device_write_bps) l.device_write_bps.push_back(boxlab::cgroup::parse_device_rate(d, "--device-write-bps"));
  return l;
}

}  // namespace labcli
