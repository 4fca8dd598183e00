// docker run's resource flags (lab 04 on): --memory, --cpus, --pids-limit and friends, wired
// to cgroup::Limits. Parsing and checking are core's (cgroup/limits.hpp); this only names flags.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "boxlab/cgroup/limits.hpp"

namespace labcli {

/// The flags as typed; unset means "not given" (an empty value is an error, not "no limit").
struct LimitFlags {
  std::optional<std::string> memory, memory_swap, memory_reservation, cpus, cpuset_cpus;
  std::optional<std::string> cpu_shares, pids_limit;
  std::vector<std::string> device_read_bps, device_write_bps;
};

/// Add Docker's resource flags to @p run.
void add_limit_flags(CLI::App& run, LimitFlags& flags);

/// Parse the flags into limits; throws a one-line boxlab::Error naming the bad flag.
boxlab::cgroup::Limits limits_from_flags(const LimitFlags& flags);

}  // namespace labcli
