// Hints are chosen by how a lab run failed: each kind of failure below must get its own hint,
// and a run that failed in one way must not get the hint of another.
#include <signal.h>

#include "catch.hpp"
#include "diagnose.hpp"

using namespace checker;

namespace {

LabRun exited(int code, const std::string& err = "") {
  LabRun r;
  r.argv = {"lab01", "run", "true"};
  r.status.code = code;
  r.err = err;
  return r;
}

LabRun killed(int signal) {
  LabRun r = exited(0);
  r.status.signaled = true;
  r.status.signal = signal;
  return r;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a handout's todo names the region still to write", "[diagnose]") {
  LabRun r = exited(125, "lab01: not written yet: lab01: start the child (clone3) (this is your part of the lab)\n");
  CHECK(hint_for(r, 0) ==
        "you have not written \"lab01: start the child (clone3)\" yet "
        "(look for its // LAB BEGIN marker in core/src)");
}

TEST_CASE("a lab killed by a signal is said to have crashed, naming the signal", "[diagnose]") {
  std::string hint = hint_for(killed(SIGSEGV), 0);
  CHECK(has(hint, "the lab itself died of SIGSEGV"));
}

TEST_CASE("127 and 126 where the command should have run say that exec failed", "[diagnose]") {
  CHECK(has(hint_for(exited(127), 0), "exec failed: the command was not found (127)"));
  CHECK(has(hint_for(exited(126), 0), "exec failed: the command exists but could not be run (126)"));
  // Expected, they are not a failure of exec: the generic hint, not the exec one.
  CHECK_FALSE(has(hint_for(exited(127), 127), "exec failed"));
}

TEST_CASE("125 where 126 or 127 was expected says a failed exec is not a runtime error", "[diagnose]") {
  for (int expected : {126, 127})
    CHECK(has(hint_for(exited(125, "lab01: exec: ENOENT\n"), expected), "a failed exec is not a runtime error"));
}

TEST_CASE("exit 0 where 125 was expected says the lab accepted bad input", "[diagnose]") {
  CHECK(has(hint_for(exited(0), 125), "the lab accepted bad input"));
}

TEST_CASE("an unexpected 125 quotes the lab's own error", "[diagnose]") {
  CHECK(hint_for(exited(125, "lab01: clone3: Operation not permitted\nmore\n"), 0) ==
        "the lab failed before running the command: lab01: clone3: Operation not permitted");
}

TEST_CASE("any other wrong code says to return the command's own status", "[diagnose]") {
  CHECK(has(hint_for(exited(0), 3), "the lab should exit with its command's own status"));
}

TEST_CASE("expect_exit passes the right code and fails the wrong one with expected, seen and hint", "[diagnose]") {
  CHECK_NOTHROW(expect_exit(exited(3), 3, "exit 3"));
  try {
    expect_exit(killed(SIGKILL), 0, "exit 0");
    FAIL("expect_exit did not throw");
  } catch (const Failure& f) {
    CHECK(f.cause().expected == "exit 0");
    CHECK(f.cause().seen == "the lab was killed by SIGKILL, nothing on stderr");
    CHECK(has(f.cause().hint, "died of SIGKILL"));
  }
}

TEST_CASE("what a run did is described with its code and the first line of stderr", "[diagnose]") {
  CHECK(describe_run(exited(2, "first\nsecond\n")) == "exit 2, stderr: \"first\"");
  CHECK(describe_run(exited(0)) == "exit 0, nothing on stderr");
  CHECK(first_line(std::string(300, 'x')) == std::string(240, 'x') + "...");
  CHECK(count_lines("a\n\nb\n") == 2);
}
