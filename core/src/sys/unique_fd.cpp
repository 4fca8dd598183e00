// UniqueFd: the owner of one file descriptor.
//
// Interface: UniqueFd::reset
#include "boxlab/sys/unique_fd.hpp"

#include <unistd.h>

namespace boxlab::sys {

void UniqueFd::reset(int fd) noexcept {
  // close(2): "the file descriptor is guaranteed to be closed" even on EINTR on Linux, so
  // never retry; a retry may close a descriptor someone else has just opened.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

}  // namespace boxlab::sys
