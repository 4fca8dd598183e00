/**
 * @file unique_fd.hpp
 * @brief A move-only owner of a file descriptor (after fmt's `fmt::file`).
 */
#pragma once

#include <utility>

namespace boxlab::sys {

/**
 * @brief Owns one file descriptor and closes it exactly once.
 *
 * The destructor never throws and never retries close() on EINTR: on Linux the descriptor is
 * released even when close() reports EINTR, and a retry could close a descriptor another part
 * of the program has just been given (close(2), "Dealing with error returns from close()").
 */
class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  /// Take ownership of @p fd (may be -1, meaning empty).
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  /// Take @p other's descriptor.
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  /// Close ours, then take @p other's descriptor.
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  /// The descriptor, still owned by this object.
  int get() const noexcept { return fd_; }
  /// True when a descriptor is held.
  explicit operator bool() const noexcept { return fd_ >= 0; }
  /// Give up ownership and return the descriptor.
  int release() noexcept { return std::exchange(fd_, -1); }
  /// Close the held descriptor (if any) and hold @p fd instead.
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

/// The two ends of a pipe.
struct Pipe {
  UniqueFd read_end;   ///< read from this end
  UniqueFd write_end;  ///< write to this end
};

}  // namespace boxlab::sys
