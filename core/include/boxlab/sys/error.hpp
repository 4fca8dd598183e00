/**
 * @file error.hpp
 * @brief The one error type of boxlab: errno plus a chain of context.
 *
 * Contract (after crun's design-docs/error_handling.md): every failure in core is thrown as a
 * boxlab::Error. It carries an errno value (or 0 when the failure is not a system error) and a
 * message built outward from the failing call: the syscall wrapper says what it called on what
 * ("mount proc on /proc: Operation not permitted"), and each caller that knows more adds a prefix
 * with Error::add_context ("start container: set up /proc: mount proc on /proc: ..."). The CLI
 * catches once, in main, prints what() on one line and exits with exit_code().
 *
 * Errors are never thrown out of destructors, signal handlers or a child process between clone
 * and exec (the child reports over a pipe instead, see process.hpp).
 */
#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace boxlab {

/// Docker's exit codes for failures of the runtime itself (see `docker run --help`).
enum ExitCode : int {
  kExitRuntimeError = 125,  ///< the runtime failed before the command ran
  kExitCannotInvoke = 126,  ///< the command exists but cannot be executed
  kExitNotFound = 127,      ///< the command was not found
};

/**
 * @brief A failure with errno, a context chain and the exit code the CLI should return.
 */
class Error : public std::system_error {
 public:
  /// A failure of a system call: @p what names the call and its arguments; @p err is errno.
  Error(int err, std::string what, int exit_code = kExitRuntimeError);
  /// A failure that is not a system error (bad input, a malformed file).
  explicit Error(std::string what, int exit_code = kExitRuntimeError);

  /// Rebuild an error reported by another process: @p message is already complete (it
  /// includes the errno text), so nothing is appended.
  static Error reported(int err, std::string message, int exit_code);

  /// Prefix the message with @p context ("context: old message") and return *this.
  Error& add_context(std::string_view context);
  /// The errno value, or 0 for failures that are not system errors.
  int errno_value() const noexcept { return code().value(); }
  /// The exit status a CLI should end with (125, 126 or 127).
  int exit_code() const noexcept { return exit_code_; }
  /// The whole message, context first, errno text last.
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  struct Complete {};
  Error(Complete, int err, std::string message, int exit_code);
  std::string message_;
  int exit_code_;
};

/// Throw an Error for the current errno: "@p what: <strerror(errno)>".
[[noreturn]] void throw_errno(std::string what);

/// Throw an Error for a caller-supplied errno value.
[[noreturn]] void throw_errno(int err, std::string what);

/**
 * @brief Marks what a student has yet to write in a handout.
 *
 * The checker's handout generator replaces each `// LAB NN BEGIN` region with a call to this,
 * so a handout builds and fails with a message naming the missing piece.
 */
[[noreturn]] void todo(std::string_view what);

/**
 * @brief Run @p fn; if it throws an Error, add @p context to it and rethrow.
 *
 * Lets a step of a longer procedure say which step failed without a try block at every call.
 */
template <typename Fn>
decltype(auto) with_context(std::string_view context, Fn&& fn) {
  try {
    return fn();
  } catch (Error& e) {
    e.add_context(context);
    throw;
  }
}

}  // namespace boxlab
