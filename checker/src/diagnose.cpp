// Diagnosis: what a failed lab run looked like, and which hint fits how it failed.
#include "diagnose.hpp"

#include <fmt/core.h>

#include <sstream>

#include "boxlab/sys/signals.hpp"

namespace checker {

namespace {

// boxlab::todo's message: "not written yet: <region> (this is your part of the lab)".
constexpr std::string_view kTodo = "not written yet: ";
constexpr std::string_view kYourPart = " (this is your part of the lab)";

// The region a handout's todo() names, e.g. "lab01: start the child (clone3), ...".
std::string missing_region(const std::string& err) {
  size_t at = err.find(kTodo);
  if (at == std::string::npos) return {};
  std::string region = first_line(err.substr(at + kTodo.size()));
  if (region.ends_with(kYourPart)) region.resize(region.size() - kYourPart.size());
  return region;
}

std::string quoted_stderr(const LabRun& run) {
  return run.err.empty() ? std::string("nothing on stderr") : "stderr: \"" + first_line(run.err) + "\"";
}

}  // namespace

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 240) line = line.substr(0, 240) + "...";
  return line;
}

int count_lines(const std::string& text) {
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) ++n;
  return n;
}

std::string describe_run(const LabRun& run) {
  std::string status = run.status.signaled
                           ? fmt::format("the lab was killed by {}", boxlab::sys::signal_name(run.status.signal))
                           : fmt::format("exit {}", run.status.code);
  return status + ", " + quoted_stderr(run);
}

std::string hint_for(const LabRun& run, int expected_code) {
  std::string region = missing_region(run.err);
  if (!region.empty()) return "you have not written \"" + region + "\" yet (look for its // LAB BEGIN marker in core/src)";
  if (run.status.signaled)
    return fmt::format("the lab itself died of {}: run it by hand, or under gdb, to see where",
                       boxlab::sys::signal_name(run.status.signal));
  int code = run.code();
  if (code == 127 && expected_code != 127)
    return "exec failed: the command was not found (127); does exec search the command's PATH, "
           "and is the command inside the container's root?";
  if (code == 126 && expected_code != 126)
    return "exec failed: the command exists but could not be run (126); check its permissions";
  if ((expected_code == 126 || expected_code == 127) && code == 125)
    return "a failed exec is not a runtime error: send exec's errno from the child and exit 127 "
           "for ENOENT, 126 for EACCES, as docker run does";
  if (expected_code == 125 && code == 0)
    return "the lab accepted bad input: it must refuse it before it creates anything and exit 125";
  if (code == 125) return "the lab failed before running the command: " + first_line(run.err);
  return "the lab should exit with its command's own status (the exit code, or 128+N when the "
         "command was killed by signal N)";
}

void expect_exit(const LabRun& run, int expected_code, const std::string& expected) {
  if (run.code() == expected_code) return;
  throw Failure({expected, describe_run(run), hint_for(run, expected_code)});
}

Failure wrong_output(const LabRun& run, const std::string& expected, const std::string& hint) {
  std::string out = run.out.size() > 200 ? run.out.substr(0, 200) + "..." : run.out;
  return Failure({expected, fmt::format("stdout \"{}\", {}", out, describe_run(run)), hint});
}

}  // namespace checker
