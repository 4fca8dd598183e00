/**
 * @file process.hpp
 * @brief Starting a child, knowing whether exec worked, and reaping it.
 *
 * spawn() is fork + exec with two extra pipes (after runc and crun):
 *  - an error pipe, close-on-exec, from child to parent. The child reports a failed step on it
 *    ({errno, step, message}); when exec succeeds the kernel closes it and the parent reads EOF.
 *    So the parent knows exactly whether the command ran, which makes exit codes 126 and 127
 *    exact instead of guessed from the child's status.
 *  - a sync pipe, from parent to child. The child waits on it until the parent has done the
 *    parent-side set-up (uid maps, cgroups), so the command never runs before it is confined.
 * No exception ever leaves the child: the trampoline catches it and reports it on the pipe.
 */
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "boxlab/sys/unique_fd.hpp"

namespace boxlab::sys {

/// How a process ended.
struct ExitStatus {
  bool signaled = false;  ///< killed by a signal (then @ref signal is set)
  int code = 0;           ///< exit code when not signaled
  int signal = 0;         ///< the signal number when signaled

  /// Docker's convention: the exit code, or 128+N when killed by signal N.
  int docker_code() const noexcept { return signaled ? 128 + signal : code; }
  /// "exited with 3" or "killed by SIGKILL".
  std::string describe() const;
  /// Decode a status from waitpid(2).
  static ExitStatus from_wait_status(int status);
};

/// What to start and how.
struct SpawnOptions {
  std::vector<std::string> args;                 ///< argv; args[0] is looked up in PATH
  std::optional<std::vector<std::string>> env;   ///< environment; default: the caller's
  uint64_t clone_flags = 0;                      ///< CLONE_NEW* namespaces for the child
  bool new_process_group = false;                ///< setpgid(0, 0) in the child
  int stdin_fd = -1;                             ///< dup2'ed onto 0 in the child when >= 0
  int stdout_fd = -1;                            ///< dup2'ed onto 1 in the child when >= 0
  int stderr_fd = -1;                            ///< dup2'ed onto 2 in the child when >= 0
  /// Descriptors the child closes first thing, before it waits: locks held through an open
  /// file (flock(2)) must not outlive the parent in a child that is still starting.
  std::vector<int> close_in_child;
  /// Runs in the child after stdio is set and before exec; may throw (the error is reported).
  std::function<void()> child_setup;
  /// Runs in the parent while the child waits (write uid maps, join cgroups); may throw.
  std::function<void(pid_t)> before_exec;
};

/**
 * @brief A started child process. Owns it: a Child destroyed before it was reaped kills
 * (SIGKILL) and reaps the process, so an exception never leaves a stray process behind.
 */
class Child {
 public:
  /// Own the already started process @p pid.
  explicit Child(pid_t pid) noexcept : pid_(pid) {}
  /// Take over @p other's process; @p other owns nothing afterwards.
  Child(Child&& other) noexcept;
  Child& operator=(Child&&) = delete;
  Child(const Child&) = delete;
  ~Child();

  /// The child's PID (in the caller's PID namespace).
  pid_t pid() const noexcept { return pid_; }
  /// Block until the child exits and reap it.
  ExitStatus wait();
  /// Reap the child if it has exited; nullopt if it is still running (waitpid WNOHANG).
  std::optional<ExitStatus> try_wait();
  /// Wait at most @p timeout; nullopt if still running (the child is left running).
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  /// Send @p sig to the child (to its process group with @p group).
  void kill(int sig, bool group = false) const;

 private:
  pid_t pid_;
  bool reaped_ = false;
};

/**
 * @brief Start a child as described by @p options.
 *
 * Returns once the command has been exec'd. Throws boxlab::Error if a step failed in either
 * process; a failed exec throws with exit_code() 127 (not found) or 126 (cannot be run), as
 * Docker reports it. The failed child has been reaped by then.
 */
Child spawn(const SpawnOptions& options);

/**
 * @brief exec @p args[0] with environment @p env, searching the PATH given in @p env.
 *
 * Only returns by throwing. Searches the command's own PATH (as runc does), not the caller's:
 * inside a container the runtime's PATH means nothing. Throws with exit code 127 when no
 * candidate exists and 126 when one exists but cannot be executed.
 */
[[noreturn]] void exec(const std::vector<std::string>& args, const std::vector<std::string>& env);

/// The environment of the calling process as a vector of "KEY=value".
std::vector<std::string> current_environment();

}  // namespace boxlab::sys
