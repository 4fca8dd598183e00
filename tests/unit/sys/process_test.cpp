#include <signal.h>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/process.hpp"
#include "boxlab/sys/signals.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "test_support.hpp"

using boxlab::Error;
using boxlab::sys::ExitStatus;
using boxlab::sys::SpawnOptions;

static SpawnOptions command(std::vector<std::string> args) {
  SpawnOptions o;
  o.args = std::move(args);
  return o;
}

TEST_CASE("spawn runs a command and wait returns its exit code", "[sys][process]") {
  auto r = test::capture(command({"/bin/sh", "-c", "echo hi; exit 3"}));
  CHECK(r.out == "hi\n");
  CHECK_FALSE(r.status.signaled);
  CHECK(r.status.code == 3);
  CHECK(r.status.docker_code() == 3);
  CHECK(r.status.describe() == "exited with code 3");
}

TEST_CASE("a process killed by signal N reports 128+N", "[sys][process]") {
  auto r = test::capture(command({"/bin/sh", "-c", "kill -KILL $$"}));
  CHECK(r.status.signaled);
  CHECK(r.status.signal == SIGKILL);
  CHECK(r.status.docker_code() == 137);
  CHECK(r.status.describe() == "killed by signal 9 (SIGKILL)");
}

TEST_CASE("exec failures map to Docker's 126 and 127", "[sys][process]") {
  try {
    test::capture(command({"/no/such/program"}));
    FAIL("no throw");
  } catch (const Error& e) {
    CHECK(e.exit_code() == 127);
    CHECK(std::string(e.what()) == "exec /no/such/program: No such file or directory");
  }
  try {
    test::capture(command({"/etc/passwd"}));
    FAIL("no throw");
  } catch (const Error& e) {
    CHECK(e.exit_code() == 126);
  }
  try {
    test::capture(command({"no-such-command-anywhere"}));
    FAIL("no throw");
  } catch (const Error& e) {
    CHECK(e.exit_code() == 127);
    CHECK(std::string(e.what()).find("executable file not found in $PATH") != std::string::npos);
  }
  CHECK(test::child_pids().empty());  // the failed children were reaped
}

TEST_CASE("the command's PATH is searched, not the caller's", "[sys][process]") {
  SpawnOptions o = command({"sh", "-c", "echo $FOO"});
  o.env = std::vector<std::string>{"PATH=/nonexistent:/bin", "FOO=bar"};
  CHECK(test::capture(o).out == "bar\n");
  o.env = std::vector<std::string>{"PATH=/nonexistent"};
  CHECK_THROWS_AS(test::capture(o), Error);
}

TEST_CASE("only stdin, stdout and stderr reach the command", "[sys][process]") {
  auto extra = boxlab::sys::pipe2();  // open in the parent; must not be inherited
  (void)extra;
  // ls lists the shell's descriptors (not its own) and the shell has no pipe open of its own.
  auto r = test::capture(command({"/bin/sh", "-c", "ls /proc/$$/fd"}));
  CHECK(r.out == "0\n1\n2\n");
}

TEST_CASE("an error in child_setup is reported with its message, and no child is left", "[sys][process]") {
  SpawnOptions o = command({"/bin/true"});
  o.child_setup = [] { throw Error(EPERM, "pretend mount"); };
  CHECK_THROWS_WITH(test::capture(o), "pretend mount: Operation not permitted");
  CHECK(test::child_pids().empty());
}

TEST_CASE("an error in before_exec kills the waiting child", "[sys][process]") {
  SpawnOptions o = command({"/bin/sleep", "30"});
  o.before_exec = [](pid_t) { throw Error("pretend uid map failure"); };
  CHECK_THROWS_WITH(boxlab::sys::spawn(o), "pretend uid map failure");
  CHECK(test::child_pids().empty());
}

TEST_CASE("wait_for times out on a running child; destroying it kills it", "[sys][process]") {
  {
    boxlab::sys::Child child = boxlab::sys::spawn(command({"/bin/sleep", "30"}));
    CHECK_FALSE(child.wait_for(std::chrono::milliseconds(50)).has_value());
    CHECK_FALSE(child.try_wait().has_value());
  }
  CHECK(test::child_pids().empty());
  boxlab::sys::Child quick = boxlab::sys::spawn(command({"/bin/true"}));
  auto status = quick.wait_for(std::chrono::seconds(10));
  REQUIRE(status.has_value());
  CHECK(status->code == 0);
}

TEST_CASE("signals sent to the runtime are forwarded to the child", "[sys][signals]") {
  boxlab::sys::SignalBlock block(boxlab::sys::forwarded_signals());
  auto pipe = boxlab::sys::pipe2();
  SpawnOptions o = command({"/bin/sh", "-c", "trap 'exit 42' TERM; echo ready; while :; do sleep 0.1; done"});
  o.stdout_fd = pipe.write_end.get();
  boxlab::sys::Child child = boxlab::sys::spawn(o);
  pipe.write_end.reset();
  char buf[8];
  REQUIRE(boxlab::sys::read(pipe.read_end.get(), buf, sizeof buf) > 0);  // trap is installed
  boxlab::sys::kill(::getpid(), SIGTERM);  // to ourselves: blocked, so it waits for sigwaitinfo
  CHECK(boxlab::sys::wait_forwarding_signals(child, block).docker_code() == 42);
}

TEST_CASE("signal names parse and print", "[sys][signals]") {
  CHECK(boxlab::sys::parse_signal("TERM") == SIGTERM);
  CHECK(boxlab::sys::parse_signal("SIGKILL") == SIGKILL);
  CHECK(boxlab::sys::parse_signal("9") == 9);
  CHECK_THROWS_WITH(boxlab::sys::parse_signal("NOPE"), "unknown signal 'NOPE'");
  CHECK(std::string(boxlab::sys::signal_name(SIGTERM)) == "SIGTERM");
}
