// The host's process table, read from /proc (what `ps` shows).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace checker {

/// One process as /proc/PID/stat and /proc/PID/cmdline describe it.
struct ProcessInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgid = 0;
  char state = '?';     ///< R, S, D, Z (zombie), ...
  std::string comm;     ///< the command name
  std::string cmdline;  ///< arguments joined by spaces
};

/// Parse the text of /proc/PID/stat (the command name may hold spaces and parentheses).
std::optional<ProcessInfo> parse_stat(const std::string& stat);

/// Read one process; nullopt when it has gone.
std::optional<ProcessInfo> read_process(pid_t pid);

/// Every process on the host.
std::vector<ProcessInfo> list_processes();

/// The processes whose parent is @p parent.
std::vector<ProcessInfo> children_of(pid_t parent);

}  // namespace checker
