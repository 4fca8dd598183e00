// checker: the boxlab auto-grader. Runs a lab's checks against the lab binary and reports in
// check50's style (terminal), JSON, JUnit XML or Gradescope's results.json; also lists the
// checks, runs the doctor, writes handouts and grades a class.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "boxlab/container/doctor.hpp"
#include "boxlab/sys/error.hpp"
#include "src/check.hpp"
#include "src/report.hpp"
#include "src/runner.hpp"
#ifdef BOXLAB_CHECKER_HANDOUT
#include "src/handout.hpp"
#endif
#ifdef BOXLAB_CHECKER_GRADE
#include "src/grade.hpp"
#endif

namespace {

namespace stdfs = std::filesystem;

std::string lab_id(int lab) { return fmt::format("lab{:02}", lab); }

/// Lab numbers are written as in lab names, "08"; CLI11 reads a leading 0 as octal (refusing 08
/// and 09, reading 010 as 8), so the zeros go before it converts.
const CLI::Validator kLabNumber(
    [](std::string& text) {
      if (!text.empty()) text.erase(0, std::min(text.find_first_not_of('0'), text.size() - 1));
      return std::string();
    },
    "NN");

/// The options of `checker labNN`.
struct LabOptions {
  int lab = 0;
  std::string bin;
  std::string json, junit, gradescope;
  bool all = false;
  bool no_deps = false;
  double timeout_scale = 1.0;
};

int list_checks() {
  for (int lab : checker::labs_with_checks()) {
    fmt::print("{}\n", lab_id(lab));
    for (const checker::Check* c : checker::checks_for(lab, false))
      fmt::print("  {:<22} {} pt{}  {}{}\n", c->name, c->points, c->points == 1 ? " " : "s", c->title,
                 c->dependency.empty() ? "" : "  (needs " + c->dependency + ")");
  }
  return 0;
}

int doctor() {
  bool ok = true;
  for (const auto& check : boxlab::container::run_doctor(BOXLAB_BUSYBOX_DIR)) {
    fmt::print("{} {:<12} {}\n", check.ok ? ":)" : ":(", check.name, check.detail);
    if (!check.ok) fmt::print("   fix: {}\n", check.fix);
    ok = ok && check.ok;
  }
  return ok ? 0 : 1;
}

int run_lab(const LabOptions& o) {
  checker::Settings settings;
  settings.bin = o.bin.empty() ? stdfs::path(BOXLAB_LABS_DIR) / lab_id(o.lab) : stdfs::path(o.bin);
  settings.bin = stdfs::absolute(settings.bin);
  settings.probe = BOXLAB_PROBE;
  settings.timeout_scale = o.timeout_scale;
  settings.no_deps = o.no_deps;
  if (!stdfs::exists(settings.bin))
    throw boxlab::Error("no lab binary at " + settings.bin.string() + ": build it (cmake --build build) or pass --bin");
  bool colour = isatty(STDOUT_FILENO);
  auto results = checker::run_checks(checker::checks_for(o.lab, o.all), settings, [&](const checker::Result& r) {
    std::cout << checker::terminal_lines(r, colour) << std::flush;
  });
  std::cout << checker::terminal_score(results, colour);
  if (!o.json.empty()) checker::write_text(o.json, checker::to_json(results, o.lab));
  if (!o.junit.empty()) checker::write_text(o.junit, checker::to_junit(results));
  if (!o.gradescope.empty()) checker::write_text(o.gradescope, checker::to_gradescope(results));
  return checker::all_passed(results) ? 0 : 1;
}

void add_lab_command(CLI::App& app, int lab, LabOptions& o, std::function<int()>& action) {
  auto* cmd = app.add_subcommand(lab_id(lab), fmt::format("Run the checks of lab {:02}", lab));
  cmd->add_option("--bin", o.bin, "The lab binary to check (default: the built " + lab_id(lab) + ")");
  cmd->add_option("--json", o.json, "Also write the results as JSON to this file");
  cmd->add_option("--junit", o.junit, "Also write JUnit XML to this file");
  cmd->add_option("--gradescope", o.gradescope, "Also write Gradescope's results.json to this file");
  cmd->add_flag("--all", o.all, "Run every earlier lab's checks too, against this binary");
  cmd->add_flag("--no-deps", o.no_deps, "Run every check even when its dependency failed");
  cmd->add_option("--timeout-scale", o.timeout_scale, "Multiply every timeout by this factor")
      ->check(CLI::PositiveNumber);
  cmd->callback([&o, &action, lab] {
    o.lab = lab;
    action = [&o] { return run_lab(o); };
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"checker: the boxlab auto-grader", "checker"};
  app.require_subcommand(1);
  std::function<int()> action;
  app.add_subcommand("list", "List every lab's checks")->callback([&] { action = list_checks; });
  app.add_subcommand("doctor", "Check that this machine can run the labs")->callback([&] { action = doctor; });
  LabOptions lab_options;
  for (int lab : checker::labs_with_checks()) add_lab_command(app, lab, lab_options, action);

#ifdef BOXLAB_CHECKER_HANDOUT
  int handout_lab = 0;
  std::string handout_out, handout_src = BOXLAB_SOURCE_DIR;
  auto* handout = app.add_subcommand("handout", "Write the student handout of a lab");
  handout->add_option("lab", handout_lab, "Lab number, e.g. 03")->required()->transform(kLabNumber);
  handout->add_option("--out", handout_out, "Directory to write the handout to")->required();
  handout->add_option("--src", handout_src, "Source tree (default: this checker's)");
  handout->callback([&] {
    action = [&] {
      checker::write_handout(handout_src, handout_lab, handout_out);
      fmt::print("wrote the lab {:02} handout to {}\n", handout_lab, handout_out);
      return 0;
    };
  });
#endif
#ifdef BOXLAB_CHECKER_GRADE
  checker::GradeOptions grade_options{};
  std::string submissions, gradebook;
  auto* grade = app.add_subcommand("grade", "Build and grade every submission of a class");
  grade->add_option("--lab", grade_options.lab, "Lab number, e.g. 03")->required()->transform(kLabNumber);
  grade->add_option("submissions", submissions, "Directory with one subdirectory per student")->required();
  grade->add_option("--out", gradebook, "Gradebook to write: FILE.csv or FILE.json")->required();
  grade->callback([&] {
    action = [&] {
      grade_options.submissions = submissions;
      grade_options.out = gradebook;
      grade_options.checker_exe = stdfs::read_symlink("/proc/self/exe");
      return checker::grade(grade_options);
    };
  });
#endif

  CLI11_PARSE(app, argc, argv);
  try {
    return action ? action() : 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "checker: {}\n", e.what());
    return 2;
  }
}
