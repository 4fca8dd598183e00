// Errors: one type for every failure, carrying errno and a chain of context.
//
// A syscall wrapper knows the call and its arguments; the caller knows why it was made. Each
// adds what it knows, outermost last, so the user reads one line from the general to the
// particular: "run: set up /proc: mount proc on /proc: Operation not permitted".
//
// Interface:
//   Error(err, what[, exit_code]), Error(what[, exit_code]), add_context
//   throw_errno(what), throw_errno(err, what), todo(what)
#include "boxlab/sys/error.hpp"

#include <cerrno>
#include <cstring>

namespace boxlab {

Error::Error(int err, std::string what, int exit_code)
    : std::system_error(err, std::generic_category()),
      message_(std::move(what) + ": " + std::strerror(err)),
      exit_code_(exit_code) {}

Error::Error(std::string what, int exit_code)
    : std::system_error(0, std::generic_category()), message_(std::move(what)), exit_code_(exit_code) {}

Error::Error(Complete, int err, std::string message, int exit_code)
    : std::system_error(err, std::generic_category()), message_(std::move(message)), exit_code_(exit_code) {}

Error Error::reported(int err, std::string message, int exit_code) {
  return Error(Complete{}, err, std::move(message), exit_code);
}

Error& Error::add_context(std::string_view context) {
  message_.insert(0, std::string(context) + ": ");
  return *this;
}

void throw_errno(std::string what) { throw Error(errno, std::move(what)); }

void throw_errno(int err, std::string what) { throw Error(err, std::move(what)); }

void todo(std::string_view what) {
  throw Error("not written yet: " + std::string(what) + " (this is your part of the lab)");
}

}  // namespace boxlab
