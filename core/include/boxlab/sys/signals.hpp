/**
 * @file signals.hpp
 * @brief Forwarding signals from the runtime to the process it started.
 *
 * A runtime in the foreground should pass on what the user sends it (Ctrl-C, `kill`), as
 * `docker run` does. The signals are blocked before the child is started, so none is lost in
 * the window before the wait loop, and the loop takes them with sigwaitinfo(2): no handler,
 * no async-signal-safety puzzle. The child unblocks them before exec.
 */
#pragma once

#include <signal.h>

#include <initializer_list>

#include "boxlab/sys/process.hpp"

namespace boxlab::sys {

/// The signals a runtime passes on: HUP INT QUIT TERM USR1 USR2 WINCH CONT.
sigset_t forwarded_signals();

/**
 * @brief Blocks a set of signals (and SIGCHLD) for its lifetime, restoring the old mask after.
 */
class SignalBlock {
 public:
  /// Block @p set and SIGCHLD (sigprocmask(2)).
  explicit SignalBlock(const sigset_t& set);
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;
  ~SignalBlock();
  /// The signals blocked by this object (including SIGCHLD).
  const sigset_t& blocked() const noexcept { return blocked_; }

 private:
  sigset_t blocked_;
  sigset_t previous_;
};

/**
 * @brief Wait for @p child, sending it every signal of @p block that arrives meanwhile.
 */
ExitStatus wait_forwarding_signals(Child& child, const SignalBlock& block);

/// "SIGTERM" for 15; "signal 99" for unknown numbers.
const char* signal_name(int sig);
/// Parse "TERM", "SIGTERM" or "15"; throws boxlab::Error on unknown names.
int parse_signal(const char* text);

}  // namespace boxlab::sys
