// Runner: the life of one check (after xv6's gradelib): skip if its parent failed, else make
// its directory, snapshot the host, run the body under a deadline, sweep for leaks, clean up.
#include "runner.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include "boxlab/sys/error.hpp"
#include "leaks.hpp"
#include "temp_dir.hpp"

namespace checker {

namespace {

Result blank_result(const Check& check) {
  Result r;
  r.name = check.name;
  r.title = check.title;
  r.lab = check.lab;
  r.points = check.points;
  r.dependency = check.dependency;
  return r;
}

Result skipped(const Check& check) {
  Result r = blank_result(check);
  r.outcome = Outcome::skipped;
  r.cause = Cause{"", "", "depends on " + check.dependency + ", which failed"};
  return r;
}

// Run the body; a Failure, a boxlab::Error or any exception becomes the result's cause.
void run_body(const Check& check, Context& context, Result& result) {
  try {
    check.body(context);
    result.outcome = Outcome::passed;
  } catch (const Failure& f) {
    result.outcome = Outcome::failed;
    result.cause = f.cause();
  } catch (const std::exception& e) {
    result.outcome = Outcome::failed;
    result.cause = Cause{"the check to run", std::string("the checker itself failed: ") + e.what(),
                         "this is probably a problem of the checker or the machine: run `checker doctor`"};
  }
}

// Mounts deepest first, so a mount on top of another goes before the one beneath.
void order_for_clean_up(std::vector<Leak>& leaks) {
  std::stable_sort(leaks.begin(), leaks.end(), [](const Leak& a, const Leak& b) {
    return a.kind == "mount" && b.kind == "mount" && a.name.size() > b.name.size();
  });
}

void sweep_leaks(const Snapshot& before, Context& context, Result& result) {
  std::vector<Leak> leaks = leftover_processes(context.groups(), context.work_dir().string());
  for (auto& l : compare(before, take_snapshot())) leaks.push_back(std::move(l));
  if (leaks.empty()) return;
  order_for_clean_up(leaks);
  // Processes first: a process can hold a mount or a cgroup busy.
  std::stable_partition(leaks.begin(), leaks.end(), [](const Leak& l) { return l.kind == "process"; });
  for (const auto& l : leaks) context.log("leak sweep: " + clean_up(l, context.work_dir()));
  std::string what = describe(leaks);
  if (result.outcome == Outcome::passed) {
    result.outcome = Outcome::failed;
    result.cause = Cause{"nothing of the check's left on the host once the lab has exited",
                         "leaked: " + what,
                         "every mount, cgroup, link and process the lab creates must go when the "
                         "container ends: create them inside the container's namespaces, or undo "
                         "them on every path (a guard object)"};
  } else if (result.cause) {
    result.cause->seen += "; also leaked: " + what;
  }
}

Result run_one(const Check& check, const Settings& settings) {
  Result result = blank_result(check);
  auto started = std::chrono::steady_clock::now();
  Snapshot before = take_snapshot();
  {
    TempDir dir("boxlab-check-" + check.name + "-");
    auto timeout = std::chrono::milliseconds(
        static_cast<long>(static_cast<double>(check.timeout.count()) * settings.timeout_scale));
    Context context(settings, dir.path(), timeout);
    run_body(check, context, result);
    sweep_leaks(before, context, result);
    result.log = context.log_lines();
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace

std::vector<Result> run_checks(const std::vector<const Check*>& checks, const Settings& settings,
                               const std::function<void(const Result&)>& on_result) {
  std::map<std::string, Outcome> outcome_of;
  std::vector<Result> results;
  for (const Check* check : checks) {
    auto dep = outcome_of.find(check->dependency);
    bool blocked = !check->dependency.empty() && dep != outcome_of.end() && dep->second != Outcome::passed;
    Result r = blocked && !settings.no_deps ? skipped(*check) : run_one(*check, settings);
    outcome_of[r.name] = r.outcome;
    if (on_result) on_result(r);
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace checker
