// Pseudo-terminals (pty(7)): the device pair behind `docker run -t`.
//
// A pty is a pair of character devices: whatever is written to the master appears as input on
// the slave, and output written to the slave is read from the master, with the kernel's line
// discipline in between (echo, line editing, ^C -> SIGINT, window size -> SIGWINCH). A program
// on the slave believes it talks to a terminal: isatty(3) is true, `tty` prints /dev/pts/N.
// The slave becomes the container's controlling terminal with TIOCSCTTY after setsid(2), as
// runc's console code does; only then does ^C reach the container's foreground process group.
//
// Interface: open_pty, make_controlling_terminal, window_size, set_window_size, RawMode
#include "boxlab/sys/terminal.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::sys {

PtyPair open_pty() {
  PtyPair pty;
  pty.master = UniqueFd(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master) throw Error(errno, "posix_openpt");
  if (::grantpt(pty.master.get()) < 0) throw Error(errno, "grantpt");
  if (::unlockpt(pty.master.get()) < 0) throw Error(errno, "unlockpt");
  char name[64];
  if (int err = ::ptsname_r(pty.master.get(), name, sizeof name); err != 0) throw Error(err, "ptsname");
  pty.slave_path = name;
  pty.slave = sys::open(pty.slave_path, O_RDWR | O_NOCTTY);
  return pty;
}

void make_controlling_terminal(int fd) {
  if (::ioctl(fd, TIOCSCTTY, 0) < 0) throw Error(errno, "ioctl TIOCSCTTY (make the pty the controlling terminal)");
}

std::optional<winsize> window_size(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) < 0) return std::nullopt;
  return size;
}

void set_window_size(int fd, const winsize& size) {
  if (::ioctl(fd, TIOCSWINSZ, &size) < 0) throw Error(errno, "ioctl TIOCSWINSZ");
}

RawMode::RawMode(int fd) : fd_(fd) {
  termios settings{};
  if (::tcgetattr(fd, &settings) < 0) return;  // not a terminal: nothing to change or restore
  saved_ = settings;
  ::cfmakeraw(&settings);
  if (::tcsetattr(fd, TCSANOW, &settings) < 0) throw Error(errno, "tcsetattr (raw mode)");
}

RawMode::~RawMode() {
  if (saved_) ::tcsetattr(fd_, TCSAFLUSH, &*saved_);  // never throws: a destructor
}

}  // namespace boxlab::sys
