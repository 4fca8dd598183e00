// Signals: passing the user's signals on to the container's process.
//
// The runtime blocks the signals it forwards (and SIGCHLD) before it starts the child, then
// waits for any of them with sigwaitinfo(2). A forwarded signal is sent on with kill(2);
// SIGCHLD means "reap and see whether it was our child". No handler runs, so nothing here has
// to be async-signal-safe (signal-safety(7)). The child unblocks everything before exec.
//
// Note for the lessons: PID 1 of a PID namespace gets only the signals it has a handler for
// (pid_namespaces(7)), so `sleep` as PID 1 ignores a forwarded SIGTERM; Docker's --init exists
// for that reason.
//
// Interface: forwarded_signals, SignalBlock, wait_forwarding_signals, signal_name, parse_signal
#include "boxlab/sys/signals.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "boxlab/sys/error.hpp"

namespace boxlab::sys {

sigset_t forwarded_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT})
    sigaddset(&set, sig);
  return set;
}

SignalBlock::SignalBlock(const sigset_t& set) : blocked_(set) {
  sigaddset(&blocked_, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &blocked_, &previous_) < 0) throw_errno("sigprocmask SIG_BLOCK");
}

SignalBlock::~SignalBlock() { sigprocmask(SIG_SETMASK, &previous_, nullptr); }

ExitStatus wait_forwarding_signals(Child& child, const SignalBlock& block) {
  // LAB 01 BEGIN: loop on sigwaitinfo; forward each signal to the child, reap it on SIGCHLD
  for (;;) {
    if (auto status = child.try_wait()) return *status;
    siginfo_t info;
    int sig = sigwaitinfo(&block.blocked(), &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      throw_errno("sigwaitinfo");
    }
    if (sig != SIGCHLD) child.kill(sig);
  }
  // LAB 01 END
}

const char* signal_name(int sig) {
  static thread_local std::string name;
  const char* abbrev = sigabbrev_np(sig);
  name = abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
  return name.c_str();
}

int parse_signal(const char* text) {
  std::string s = text;
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) {
    int n = std::atoi(s.c_str());
    if (n > 0 && n < NSIG) return n;
  }
  if (s.rfind("SIG", 0) == 0) s = s.substr(3);
  for (int sig = 1; sig < NSIG; ++sig)
    if (const char* a = sigabbrev_np(sig); a && s == a) return sig;
  throw Error("unknown signal '" + std::string(text) + "'");
}

}  // namespace boxlab::sys
