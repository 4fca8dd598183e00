/**
 * @file relay.hpp
 * @brief The runtime's side of `run -t`: copy bytes between the person's terminal and the
 *        container's pty, follow the window size, forward signals, and wait for the end.
 */
#pragma once

#include "boxlab/sys/process.hpp"
#include "boxlab/sys/signals.hpp"

namespace boxlab::sys {

/// What to copy where.
struct TerminalRelay {
  int master = -1;      ///< the pty's master
  int input = 0;        ///< copied to the master (the person's keys); -1: no input (-t without -i)
  int output = 1;       ///< the master's output is copied here
  int size_source = 0;  ///< a terminal whose size the pty follows (SIGWINCH); -1: none
};

/**
 * @brief Relay until @p child exits, then copy what is left of its output and return its status.
 *
 * Signals blocked by @p block arrive through a signalfd(2) in the same poll(2) loop as the
 * bytes: SIGWINCH resizes the pty (the kernel then signals the container), SIGCHLD reaps, any
 * other is forwarded to @p child, as wait_forwarding_signals does.
 */
ExitStatus relay_terminal(Child& child, const SignalBlock& block, const TerminalRelay& relay);

}  // namespace boxlab::sys
