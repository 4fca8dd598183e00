// What a check's body works with: the lab binary, its own directories, and a deadline.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "lab_process.hpp"

namespace checker {

/// What the user chose on the command line that every check needs.
struct Settings {
  std::filesystem::path bin;      ///< the lab binary under test
  std::filesystem::path probe;    ///< the built probe on the host
  double timeout_scale = 1.0;     ///< multiplies every check's timeout
  bool no_deps = false;           ///< run checks whose dependency failed
};

/**
 * @brief One check's world: a fresh work directory (with a copy of the probe and the state
 * root the lab gets as BOXLAB_ROOT), the lab runs it started, a log, and a deadline.
 *
 * Every lab run shares the check's deadline; when it passes, the lab's process group is
 * killed and the check fails with a Failure saying the timeout fired.
 */
class Context {
 public:
  Context(const Settings& settings, std::filesystem::path work_dir, std::chrono::milliseconds timeout);

  /// The lab binary.
  const std::filesystem::path& bin() const noexcept { return settings_.bin; }
  /// This check's temporary directory (removed afterwards).
  const std::filesystem::path& work_dir() const noexcept { return work_dir_; }
  /// The state root passed to the lab as BOXLAB_ROOT.
  std::filesystem::path state_root() const { return work_dir_ / "state"; }
  /// A copy of the probe inside work_dir (readable by any uid).
  std::filesystem::path probe() const { return work_dir_ / "probe"; }
  /// The built probe on the host, to copy into a rootfs.
  const std::filesystem::path& built_probe() const noexcept { return settings_.probe; }

  /// Add a line to the check's log.
  void log(std::string line);
  const std::vector<std::string>& log_lines() const noexcept { return log_; }

  /// Run `BIN args...` to its end (or the deadline) and return how it went.
  LabRun run(const std::vector<std::string>& args);
  /// Run @p argv (argv[0] need not be the lab) to its end, as its own process group.
  LabRun run_argv(const std::vector<std::string>& argv);
  /// Start `BIN args...` in the background.
  LabProcess start(const std::vector<std::string>& args);
  /// Start @p argv in the background.
  LabProcess start_argv(const std::vector<std::string>& argv);
  /// Wait until @p ready(stdout so far) holds; returns the stdout. Fails the check if the lab
  /// exits first or the deadline passes.
  std::string wait_for_output(LabProcess& lab, const std::function<bool(const std::string&)>& ready);
  /// Wait for @p lab to end; on the deadline kill its group and fail with the timeout's cause.
  LabRun finish(LabProcess& lab);
  /// Kill @p lab's process group now (the check has seen what it needed) and reap it.
  LabRun stop(LabProcess& lab);

  /// The process groups of every lab this check started (for the leak sweep).
  const std::vector<pid_t>& groups() const noexcept { return groups_; }

 private:
  [[noreturn]] void timed_out(LabProcess& lab);

  Settings settings_;
  std::filesystem::path work_dir_;
  std::chrono::milliseconds timeout_;
  Clock::time_point deadline_;
  std::vector<std::string> log_;
  std::vector<pid_t> groups_;
  int runs_ = 0;
};

}  // namespace checker
