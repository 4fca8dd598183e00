/**
 * @file terminal.hpp
 * @brief Pseudo-terminals for `run -t`: a pty pair, the container's controlling terminal, the
 *        person's terminal in raw mode (restored on every exit path), and window sizes.
 *
 * With -t the container's stdin, stdout and stderr are the pty's slave side (pty(7)); the
 * runtime holds the master and copies bytes between it and the person's terminal, which is put
 * in raw mode so that Ctrl-C reaches the container as a byte (its line discipline turns it into
 * SIGINT for the container's foreground process group) instead of killing the runtime.
 */
#pragma once

#include <sys/ioctl.h>
#include <termios.h>

#include <optional>
#include <string>

#include "boxlab/sys/unique_fd.hpp"

namespace boxlab::sys {

/// A pseudo-terminal: the master the runtime keeps and the slave the container gets.
struct PtyPair {
  UniqueFd master;         ///< read the container's output here, write its input
  UniqueFd slave;          ///< the container's stdin, stdout and stderr
  std::string slave_path;  ///< "/dev/pts/N"
};

/// posix_openpt(3), grantpt, unlockpt, and open the slave (close-on-exec, not our controlling
/// terminal: O_NOCTTY).
PtyPair open_pty();

/// Make @p fd the calling process's controlling terminal (ioctl TIOCSCTTY). The caller must be
/// a session leader (setsid(2)) without a controlling terminal: the container's init is.
void make_controlling_terminal(int fd);

/// The window size of the terminal @p fd (TIOCGWINSZ), or nullopt when @p fd is not a terminal.
std::optional<winsize> window_size(int fd);
/// Set the window size of the terminal @p fd (TIOCSWINSZ); the kernel sends SIGWINCH to its
/// foreground process group.
void set_window_size(int fd, const winsize& size);

/**
 * @brief The terminal @p fd in raw mode (cfmakeraw(3)) for the guard's lifetime; the saved
 *        settings come back when it is destroyed, however the runtime leaves its scope.
 */
class RawMode {
 public:
  /// Save @p fd's settings and make it raw; does nothing when @p fd is not a terminal.
  explicit RawMode(int fd);
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;
  ~RawMode();

 private:
  int fd_;
  std::optional<termios> saved_;
};

}  // namespace boxlab::sys
