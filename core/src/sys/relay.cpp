// The pty relay: one poll(2) loop over the person's terminal, the pty master and a signalfd.
//
// Bytes typed go to the master (the container's line discipline echoes and interprets them:
// ^C becomes SIGINT for the container's foreground job, because the person's terminal is in raw
// mode and passes it on as a byte). Bytes from the master go to the person's terminal. When the
// container's last process closes the slave, reading the master fails with EIO (pty(7)): that
// is its end of output, not an error. Signals are read as data from a signalfd so they cannot
// interrupt a half-done copy.
//
// Interface: relay_terminal
#include "boxlab/sys/relay.hpp"

#include <errno.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/terminal.hpp"

namespace boxlab::sys {

namespace {

// Copy one read's worth from @p from to @p to; false at end of file (or EIO from a pty master).
bool copy_once(int from, int to) {
  char buffer[8192];
  ssize_t n = ::read(from, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  write_all(to, std::string_view(buffer, static_cast<size_t>(n)));
  return true;
}

void follow_window_size(const TerminalRelay& relay) {
  if (relay.size_source < 0) return;
  if (auto size = window_size(relay.size_source)) set_window_size(relay.master, *size);
}

}  // namespace

ExitStatus relay_terminal(Child& child, const SignalBlock& block, const TerminalRelay& relay) {
  UniqueFd signals(::signalfd(-1, &block.blocked(), SFD_CLOEXEC));
  if (!signals) throw Error(errno, "signalfd");
  follow_window_size(relay);
  bool input_open = relay.input >= 0, output_open = true;
  std::optional<ExitStatus> status;
  while (!status || output_open) {
    if (!status) status = child.try_wait();
    if (status && !output_open) break;
    pollfd fds[3] = {{signals.get(), POLLIN, 0},
                     {output_open ? relay.master : -1, POLLIN, 0},  // poll(2) skips negative fds
                     {input_open ? relay.input : -1, POLLIN, 0}};
    // Once the container has exited, drain what it wrote without waiting for more.
    int ready = ::poll(fds, 3, status ? 0 : -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) throw Error(errno, "poll");
    if (ready == 0) break;  // exited and nothing left to read
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      if (::read(signals.get(), &info, sizeof info) == sizeof info) {
        int sig = static_cast<int>(info.ssi_signo);
        if (sig == SIGWINCH) follow_window_size(relay);
        else if (sig != SIGCHLD && !status) child.kill(sig);
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) output_open = copy_once(relay.master, relay.output);
    if (input_open && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) input_open = copy_once(relay.input, relay.master);
  }
  return status ? *status : child.wait();
}

}  // namespace boxlab::sys
