// The runner's promises, each on checks made on the spot: a check whose dependency did not pass
// is skipped (and runs with --no-deps), a timeout that fires says so and kills the lab, every
// duration is measured, and an exception that is not a Failure is the checker's own fault.
#include <signal.h>

#include <chrono>
#include <thread>

#include "catch.hpp"
#include "fake_lab.hpp"
#include "report.hpp"
#include "runner.hpp"

using namespace checker;
using checker_test::make_check;
using namespace std::chrono_literals;

namespace {

void passes(Context&) {}

void fails(Context&) { throw Failure({"it to pass", "it failed", "make it pass"}); }

std::vector<Result> run(const std::vector<Check>& checks, bool no_deps = false, double scale = 1) {
  std::vector<const Check*> pointers;
  for (const Check& c : checks) pointers.push_back(&c);
  Settings settings = checker_test::settings_for("good-lab");
  settings.no_deps = no_deps;
  settings.timeout_scale = scale;
  return run_checks(pointers, settings);
}

/// A check that counts how often its body ran.
Check counted(const std::string& name, const std::string& dependency, int& runs) {
  return make_check(name, dependency, [&runs](Context&) { ++runs; });
}

// The pid the lab wrote on its first line of output.
pid_t pid_in(const std::string& out) { return static_cast<pid_t>(std::stol(out)); }

}  // namespace

TEST_CASE("a check whose dependency failed is skipped, and so are the checks that need it", "[runner]") {
  int b_runs = 0, c_runs = 0, d_runs = 0;
  std::vector<Check> checks{make_check("a", "", fails), counted("b", "a", b_runs), counted("c", "b", c_runs),
                            counted("d", "", d_runs)};
  std::vector<Result> results = run(checks);
  REQUIRE(results.size() == 4);
  CHECK(results[0].outcome == Outcome::failed);
  CHECK(results[1].outcome == Outcome::skipped);
  CHECK(results[2].outcome == Outcome::skipped);
  CHECK(results[3].outcome == Outcome::passed);
  CHECK(b_runs == 0);
  CHECK(c_runs == 0);
  CHECK(d_runs == 1);
  REQUIRE(results[1].cause);
  CHECK(results[1].cause->hint == "depends on a, which failed");
  CHECK(terminal_lines(results[2], false) ==
        ":| c (the c check) [1 pt] skipped: depends on b, which failed\n");
  CHECK(score(results).earned == 1);
  CHECK_FALSE(all_passed(results));
}

TEST_CASE("a check whose dependency passed runs", "[runner]") {
  int runs = 0;
  std::vector<Result> results = run({make_check("a", "", passes), counted("b", "a", runs)});
  CHECK(runs == 1);
  CHECK(results[1].outcome == Outcome::passed);
  CHECK(all_passed(results));
}

TEST_CASE("with --no-deps a check runs even though its dependency failed", "[runner]") {
  int runs = 0;
  std::vector<Result> results = run({make_check("a", "", fails), counted("b", "a", runs)}, true);
  CHECK(runs == 1);
  CHECK(results[1].outcome == Outcome::passed);
}

TEST_CASE("a timeout that fires says it fired, and kills the lab's process group", "[runner]") {
  pid_t lab = 0;
  auto hangs = [&lab](Context& ctx) {
    LabProcess p = ctx.start({"run", "/bin/sh", "-c", "echo $$; exec sleep 30"});
    lab = pid_in(ctx.wait_for_output(p, [](const std::string& out) { return out.ends_with('\n'); }));
    ctx.finish(p);
  };
  auto started = std::chrono::steady_clock::now();
  std::vector<Result> results = run({make_check("hangs", "", hangs, 1, 300ms)});
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const Result& r = results.at(0);
  CHECK(r.outcome == Outcome::failed);
  REQUIRE(r.cause);
  CHECK(r.cause->expected == "the lab to finish within 0.3s");
  CHECK(r.cause->seen.starts_with("the timeout fired after "));
  CHECK(r.cause->seen.find("killed its process group") != std::string::npos);
  CHECK(took < 5);
  REQUIRE(lab > 0);
  CHECK(kill(lab, 0) == -1);  // gone, and reaped
}

TEST_CASE("--timeout-scale stretches every timeout", "[runner]") {
  auto slow = [](Context& ctx) { ctx.run({"run", "/bin/sleep", "0.5"}); };
  std::vector<Check> checks{make_check("slow", "", slow, 1, 300ms)};
  CHECK(run(checks, false, 1)[0].outcome == Outcome::failed);
  std::vector<Result> scaled = run(checks, false, 5);
  CHECK(scaled[0].outcome == Outcome::passed);
}

TEST_CASE("every check's duration is measured", "[runner]") {
  auto naps = [](Context&) { std::this_thread::sleep_for(200ms); };
  std::vector<Result> results = run({make_check("naps", "", naps), make_check("quick", "", passes)});
  CHECK(results[0].seconds >= 0.2);
  CHECK(results[0].seconds < 2);
  CHECK(results[1].seconds < results[0].seconds);
  CHECK(terminal_lines(results[0], false).find(" 0.00s") == std::string::npos);
}

TEST_CASE("an exception that is not a Failure fails the check as the checker's own problem", "[runner]") {
  auto broken = [](Context&) { throw std::runtime_error("no such file"); };
  std::vector<Result> results = run({make_check("broken", "", broken)});
  CHECK(results[0].outcome == Outcome::failed);
  REQUIRE(results[0].cause);
  CHECK(results[0].cause->seen == "the checker itself failed: no such file");
}

TEST_CASE("a check's log records each run of the lab", "[runner]") {
  auto echoes = [](Context& ctx) { ctx.run({"run", "/bin/echo", "hi"}); };
  std::vector<Result> results = run({make_check("echoes", "", echoes)});
  const std::vector<std::string>& log = results[0].log;
  REQUIRE(log.size() == 2);
  CHECK(log[0] == "run: " + checker_test::fixture("good-lab").string() + " run /bin/echo hi");
  CHECK(log[1].starts_with("  exited with code 0 after "));
}
