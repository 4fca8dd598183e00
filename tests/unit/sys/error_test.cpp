#include <cerrno>

#include "boxlab/sys/error.hpp"
#include "catch.hpp"

using boxlab::Error;

TEST_CASE("an Error names the call, then errno's text", "[sys][error]") {
  Error e(ENOENT, "open /nope");
  CHECK(std::string(e.what()) == "open /nope: No such file or directory");
  CHECK(e.errno_value() == ENOENT);
  CHECK(e.exit_code() == boxlab::kExitRuntimeError);
}

TEST_CASE("context is added outermost first", "[sys][error]") {
  Error e(EPERM, "mount proc on /proc");
  e.add_context("set up /proc").add_context("run");
  CHECK(std::string(e.what()) == "run: set up /proc: mount proc on /proc: Operation not permitted");
}

TEST_CASE("with_context adds context to errors thrown inside", "[sys][error]") {
  try {
    boxlab::with_context("load spec", [] { throw Error("bad field"); });
    FAIL("no throw");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "load spec: bad field");
    CHECK(e.errno_value() == 0);
  }
  CHECK(boxlab::with_context("ok", [] { return 7; }) == 7);
}

TEST_CASE("a reported error keeps its message and exit code as given", "[sys][error]") {
  Error e = Error::reported(EACCES, "exec /x: Permission denied", boxlab::kExitCannotInvoke);
  CHECK(std::string(e.what()) == "exec /x: Permission denied");
  CHECK(e.exit_code() == 126);
  CHECK(e.errno_value() == EACCES);
}

TEST_CASE("todo says what is not written yet", "[sys][error]") {
  CHECK_THROWS_WITH(boxlab::todo("lab03: pivot_root"),
                    "not written yet: lab03: pivot_root (this is your part of the lab)");
}
