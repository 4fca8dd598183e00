// Running a lab binary: in its own process group, output to files, with a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "boxlab/sys/process.hpp"

namespace checker {

using Clock = std::chrono::steady_clock;

/// @p argv as a shell would need it typed, for logs.
std::string shell_join(const std::vector<std::string>& argv);

/// A finished lab run: the command line, how it ended, and what it printed.
struct LabRun {
  std::vector<std::string> argv;  ///< what was run
  boxlab::sys::ExitStatus status; ///< how it ended
  std::string out;                ///< its stdout
  std::string err;                ///< its stderr
  double seconds = 0;             ///< how long it ran

  /// Docker's code: the exit code, or 128+N when killed by signal N.
  int code() const noexcept { return status.docker_code(); }
  /// The command line, shell-quoted where needed, for logs.
  std::string command_line() const;
};

/**
 * @brief A started lab process. It leads its own process group, so the checker can kill
 * everything the lab started with one kill(-pgid). stdout and stderr go to files (no pipe can
 * fill up and block the lab). Destroying it kills the group and reaps the lab.
 */
class LabProcess {
 public:
  /// Start @p argv with @p env; output goes to @p out_file and @p err_file.
  LabProcess(std::vector<std::string> argv, std::vector<std::string> env,
             std::filesystem::path out_file, std::filesystem::path err_file);
  LabProcess(LabProcess&&) noexcept = default;
  LabProcess& operator=(LabProcess&&) noexcept = default;
  ~LabProcess();

  /// The lab's PID, which is also its process group id.
  pid_t pid() const noexcept { return pid_; }
  /// Wait for the lab until @p deadline; false if it is still running then.
  bool wait_until(Clock::time_point deadline);
  /// True once the lab has exited and been reaped.
  bool finished() const noexcept { return finished_; }
  /// SIGKILL the whole process group and reap the lab.
  void kill_group() noexcept;
  /// Send @p sig to the lab process alone (as a user's `kill PID` would).
  void signal(int sig) const;
  /// What the lab has written to stdout so far.
  std::string out() const;
  /// What the lab has written to stderr so far.
  std::string err() const;
  /// The finished run (call after wait_until returned true or kill_group()).
  LabRun result() const;
  /// Seconds since the start.
  double elapsed() const;

 private:
  std::vector<std::string> argv_;
  std::filesystem::path out_file_, err_file_;
  std::unique_ptr<boxlab::sys::Child> child_;
  pid_t pid_ = -1;
  bool finished_ = false;
  boxlab::sys::ExitStatus status_;
  Clock::time_point started_;
  double seconds_ = 0;
};

}  // namespace checker
