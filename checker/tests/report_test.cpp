// Recorded outputs: three checks run by the real runner against a known-good and a known-bad
// fake lab, rendered by every report format and compared with expected/{good,bad}.*. A change
// in what a student or a grading system reads shows up here as a diff. Also: the JSON report's
// check50 contract field by field, colour, and how durations are shown.
#include <nlohmann/json.hpp>

#include <regex>

#include "catch.hpp"
#include "diagnose.hpp"
#include "fake_lab.hpp"
#include "report.hpp"
#include "runner.hpp"

using namespace checker;
using checker_test::check_recorded;
using nlohmann::json;

namespace {

void echo_output(Context& ctx) {
  LabRun r = ctx.run({"run", "/bin/echo", "hi"});
  expect_exit(r, 0, "`run /bin/echo hi` to exit 0");
  if (r.out != "hi\n")
    throw wrong_output(r, "exactly \"hi\\n\" on stdout", "the command must write to the lab's own stdout");
}

void exit_status(Context& ctx) {
  LabRun r = ctx.run({"run", "/bin/sh", "-c", "exit 3"});
  expect_exit(r, 3, "exit status 3, the command's own");
}

void not_found(Context& ctx) {
  LabRun r = ctx.run({"run", "boxlab-no-such-command"});
  expect_exit(r, 127, "exit status 127 (command not found)");
}

const std::vector<Check>& recorded_checks() {
  static const std::vector<Check> checks{
      checker_test::make_check("echo_output", "", echo_output, 2),
      checker_test::make_check("exit_status", "echo_output", exit_status),
      checker_test::make_check("not_found", "", not_found),
  };
  return checks;
}

// What differs from machine to machine becomes a constant: the fixtures' directory, how long
// each run took (in the log), and each check's duration (0.034 s, which shows as "0.03s").
void make_reproducible(std::string& text) {
  static const std::string fixtures = checker_test::fixture("").string();
  static const std::regex run_time(R"(after [0-9]+\.[0-9]s)");
  for (size_t at; (at = text.find(fixtures)) != std::string::npos;) text.replace(at, fixtures.size(), "fixtures/");
  text = std::regex_replace(text, run_time, "after 0.0s");
}

void make_reproducible(std::vector<Result>& results) {
  for (Result& r : results) {
    if (r.outcome != Outcome::skipped) r.seconds = 0.034;
    for (std::string& line : r.log) make_reproducible(line);
    if (!r.cause) continue;
    for (std::string* text : {&r.cause->expected, &r.cause->seen, &r.cause->hint}) make_reproducible(*text);
  }
}

std::vector<Result> run_recorded_checks(const std::string& lab) {
  std::vector<const Check*> checks;
  for (const Check& c : recorded_checks()) checks.push_back(&c);
  std::vector<Result> results = run_checks(checks, checker_test::settings_for(lab));
  make_reproducible(results);
  return results;
}

std::string terminal_report(const std::vector<Result>& results) {
  std::string out;
  for (const Result& r : results) out += terminal_lines(r, false);
  return out + terminal_score(results, false);
}

void check_every_format(const std::string& name, const std::vector<Result>& results) {
  check_recorded(name + ".txt", terminal_report(results));
  check_recorded(name + ".json", to_json(results, 1));
  check_recorded(name + ".junit.xml", to_junit(results));
  check_recorded(name + ".gradescope.json", to_gradescope(results));
}

Result result(const std::string& name, Outcome outcome, const std::string& dependency = "") {
  Result r;
  r.name = name;
  r.title = "the " + name + " check";
  r.lab = 1;
  r.points = 2;
  r.dependency = dependency;
  r.outcome = outcome;
  if (outcome != Outcome::passed) r.cause = Cause{"this", "that", "try this"};
  r.log = {"run: lab01 run true"};
  return r;
}

}  // namespace

TEST_CASE("a known-good lab passes every check, in every report format", "[report]") {
  std::vector<Result> results = run_recorded_checks("good-lab");
  REQUIRE(all_passed(results));
  check_every_format("good", results);
}

TEST_CASE("a known-bad lab fails with causes and hints, in every report format", "[report]") {
  std::vector<Result> results = run_recorded_checks("bad-lab");
  REQUIRE(results.size() == 3);
  CHECK(results[0].outcome == Outcome::failed);
  CHECK(results[1].outcome == Outcome::skipped);
  CHECK(results[2].outcome == Outcome::failed);
  check_every_format("bad", results);
}

TEST_CASE("the JSON report has check50's fields: passed is true, false or null", "[report]") {
  std::vector<Result> results{result("a", Outcome::passed), result("b", Outcome::failed, "a"),
                              result("c", Outcome::skipped, "b")};
  json doc = json::parse(to_json(results, 1));
  CHECK(doc["lab"] == 1);
  CHECK(doc["score"] == 2);
  CHECK(doc["max_score"] == 6);
  const json& list = doc["results"];
  REQUIRE(list.size() == 3);
  for (const char* field : {"name", "passed", "cause", "log", "dependency", "points"})
    for (const json& entry : list) CHECK(entry.contains(field));
  CHECK(list[0]["passed"] == true);
  CHECK(list[1]["passed"] == false);
  CHECK(list[2]["passed"].is_null());
  CHECK(list[0]["cause"].is_null());
  CHECK(list[1]["cause"] == json{{"expected", "this"}, {"seen", "that"}, {"hint", "try this"}});
  CHECK(list[0]["dependency"].is_null());
  CHECK(list[2]["dependency"] == "b");
  CHECK(list[1]["points"] == 2);
  CHECK(list[0]["log"] == json::array({"run: lab01 run true"}));
}

TEST_CASE("the terminal report shows a check's duration to the hundredth of a second", "[report]") {
  Result r = result("a", Outcome::passed);
  r.seconds = 0.034;
  CHECK(terminal_lines(r, false) == ":) a (the a check) [2 pts] 0.03s\n");
  r.seconds = 0.3;
  CHECK(terminal_lines(r, false) == ":) a (the a check) [2 pts] 0.30s\n");
  r.outcome = Outcome::failed;
  r.cause = Cause{"x", "y", "z"};
  r.seconds = 12.5;
  CHECK(terminal_lines(r, false).starts_with(":( a (the a check) [2 pts] 12.50s\n"));
}

TEST_CASE("the terminal report is coloured only when asked", "[report]") {
  std::vector<Result> results{result("a", Outcome::passed), result("b", Outcome::failed)};
  CHECK(terminal_lines(results[0], true).starts_with("\033[32m:) a"));
  CHECK(terminal_lines(results[1], true).starts_with("\033[31m:( b"));
  CHECK(terminal_score(results, true) == "\033[31mScore: 2/4\033[0m\n");
  CHECK(terminal_score(results, false) == "Score: 2/4\n");
  CHECK(terminal_lines(results[1], false).find('\033') == std::string::npos);
}
