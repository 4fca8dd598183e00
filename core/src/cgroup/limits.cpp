// Limits: Docker's resource flags, parsed and checked before any cgroup is made.
//
// Sizes follow Docker's units (github.com/docker/go-units RAMInBytes): b, k, m, g, t with an
// optional trailing b, case-insensitive, binary multiples. Checking happens up front so that
// bad input ends with one clear line and nothing made: a write the kernel refuses would only
// say "Invalid argument".
//
// Interface: Limits::empty, parse_size, parse_device_rate, parse_cpu_list, validate, validate_on_this_machine
#include "boxlab/cgroup/limits.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::cgroup {

bool Limits::empty() const {
  return !memory && !memory_swap && !memory_reservation && !cpus && !cpu_shares && !cpuset_cpus && !pids &&
         device_read_bps.empty() && device_write_bps.empty();
}

int64_t parse_size(std::string_view text, std::string_view flag) {
  // LAB 04 BEGIN: parse a number with an optional unit b, k, m, g, t (kb, mb, ...), case-insensitive
  auto bad = [&] {
    return Error(std::string(flag) + " '" + std::string(text) +
                 "': expected a size such as 64m, 1g or 512k (units b, k, m, g, t)");
  };
  if (text == "-1") return -1;
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  // from_chars also takes "nan" and "inf": only a finite, non-negative number is a size.
  if (ec != std::errc() || end == text.data() || !std::isfinite(number) || number < 0) throw bad();
  std::string unit(end, text.data() + text.size());
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::tolower(c); });
  if (unit.size() == 2 && unit[1] == 'b' && unit[0] != 'b') unit.pop_back();
  static const std::pair<const char*, double> kUnits[] = {
      {"", 1}, {"b", 1}, {"k", 1024.0}, {"m", 1024.0 * 1024}, {"g", 1024.0 * 1024 * 1024}, {"t", 1024.0 * 1024 * 1024 * 1024}};
  for (const auto& [name, factor] : kUnits) {
    if (unit != name) continue;
    // llround of a value beyond int64_t is undefined (in practice INT64_MIN): refuse it.
    if (number * factor >= 9223372036854775808.0) throw bad();
    return static_cast<int64_t>(std::llround(number * factor));
  }
  throw bad();
  // LAB 04 END
}

DeviceRate parse_device_rate(std::string_view text, std::string_view flag) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos)
    throw Error(std::string(flag) + " '" + std::string(text) + "': expected DEVICE:RATE, e.g. /dev/sda:1mb");
  std::string device(text.substr(0, colon));
  struct stat st = with_context(std::string(flag) + " " + device, [&] { return sys::stat(device); });
  if (!S_ISBLK(st.st_mode)) throw Error(std::string(flag) + " " + device + ": not a block device");
  DeviceRate rate{major(st.st_rdev), minor(st.st_rdev), 0};
  int64_t bytes = parse_size(text.substr(colon + 1), flag);
  if (bytes <= 0) throw Error(std::string(flag) + " '" + std::string(text) + "': the rate must be positive");
  rate.bytes_per_second = static_cast<uint64_t>(bytes);
  return rate;
}

std::vector<unsigned> parse_cpu_list(std::string_view text) {
  constexpr unsigned kMaxCpus = 8192;
  const std::string whole(text);  // `text` is consumed below; the message quotes all of it
  auto bad = [whole] { return Error("cpuset '" + whole + "': expected a list such as 0-2,4"); };
  std::vector<unsigned> cpus;
  if (text.empty()) throw bad();
  while (!text.empty()) {
    std::string_view item = text.substr(0, text.find(','));
    text.remove_prefix(std::min(text.size(), item.size() + 1));
    unsigned first = 0, last = 0;
    auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), first);
    if (ec != std::errc() || p == item.data()) throw bad();
    last = first;
    if (p != item.data() + item.size()) {
      if (*p != '-') throw bad();
      auto [q, ec2] = std::from_chars(p + 1, item.data() + item.size(), last);
      if (ec2 != std::errc() || q != item.data() + item.size() || last < first) throw bad();
    }
    // Linux has at most 8192 CPUs (NR_CPUS); a bigger number is a typo, and "0-4294967295"
    // would never end the loop below.
    if (last >= kMaxCpus) throw bad();
    for (unsigned c = first; c <= last; ++c) cpus.push_back(c);
  }
  return cpus;
}

void validate(const Limits& l, unsigned online_cpus, const std::string& host_cpuset) {
  // LAB 04 BEGIN: refuse limits the kernel would refuse, saying which flag and why
  if (l.memory && *l.memory >= 0 && *l.memory < kMinimumMemory)
    throw Error("--memory " + std::to_string(*l.memory) + " bytes: the minimum is 6m");
  if (l.memory_swap && *l.memory_swap >= 0) {
    if (!l.memory) throw Error("--memory-swap needs --memory as well");
    if (*l.memory_swap < *l.memory) throw Error("--memory-swap must be at least --memory (it is memory plus swap)");
  }
  if (l.memory_reservation && l.memory && *l.memory_reservation > *l.memory)
    throw Error("--memory-reservation must be below --memory");
  if (l.cpus && (!std::isfinite(*l.cpus) || *l.cpus <= 0 || *l.cpus > online_cpus))
    throw Error("--cpus " + fmt::format("{}", *l.cpus) + ": must be between 0.01 and the " +
                std::to_string(online_cpus) + " CPUs of this machine");
  if (l.cpus && *l.cpus < 0.01) throw Error("--cpus: the minimum is 0.01");
  if (l.cpu_shares && (*l.cpu_shares < 2 || *l.cpu_shares > 262144))
    throw Error("--cpu-shares " + std::to_string(*l.cpu_shares) + ": must be between 2 and 262144");
  if (l.cpuset_cpus) {
    std::vector<unsigned> wanted = with_context("--cpuset-cpus", [&] { return parse_cpu_list(*l.cpuset_cpus); });
    std::vector<unsigned> host = parse_cpu_list(host_cpuset);
    std::set<unsigned> available(host.begin(), host.end());
    for (unsigned c : wanted)
      if (!available.count(c))
        throw Error("--cpuset-cpus " + *l.cpuset_cpus + ": CPU " + std::to_string(c) + " does not exist here (CPUs: " +
                    host_cpuset + ")");
  }
  if (l.pids && *l.pids < -1) throw Error("--pids-limit must be -1 (unlimited) or positive");
  // LAB 04 END
}

void validate_on_this_machine(const Limits& limits) {
  std::string online = sys::read_file("/sys/devices/system/cpu/online");
  while (!online.empty() && (online.back() == '\n' || online.back() == ' ')) online.pop_back();
  validate(limits, static_cast<unsigned>(parse_cpu_list(online).size()), online);
}

}  // namespace boxlab::cgroup
