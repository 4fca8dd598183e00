// Run a spec with container::run and capture what it printed (stdout and stderr together).
#pragma once

#include <string>

#include "boxlab/container/run.hpp"
#include "boxlab/sys/syscall.hpp"

namespace test {

/// How a captured run ended.
struct Ran {
  int code;         ///< Docker's exit code
  std::string out;  ///< stdout and stderr, interleaved
};

/// Run @p spec to its end with its output in a pipe, and read it all.
inline Ran run_captured(const boxlab::container::Spec& spec) {
  auto pipe = boxlab::sys::pipe2();
  boxlab::container::RunOptions options;
  options.stdout_fd = pipe.write_end.get();
  options.stderr_fd = pipe.write_end.get();
  int code = boxlab::container::run(spec, options).docker_code();
  pipe.write_end.reset();
  std::string out;
  char buf[4096];
  while (size_t n = boxlab::sys::read(pipe.read_end.get(), buf, sizeof buf)) out.append(buf, n);
  return {code, out};
}

}  // namespace test
