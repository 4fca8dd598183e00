// The outcome of one check, as every report format sees it.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace checker {

/// What a failed (or skipped) check tells the student: what it wanted, what it saw, what to try.
struct Cause {
  std::string expected;  ///< what the check wanted
  std::string seen;      ///< what it found instead
  std::string hint;      ///< what to look at, chosen by how it failed
};

/// passed, failed, or skipped because its dependency failed (check50's true/false/null).
enum class Outcome { passed, failed, skipped };

/// One check's result.
struct Result {
  std::string name;                ///< check id, e.g. "pid_one"
  std::string title;               ///< one-line description
  int lab = 0;                     ///< the lab it belongs to
  int points = 0;                  ///< what it is worth
  std::string dependency;          ///< the check it needs, or empty
  Outcome outcome = Outcome::skipped;
  std::optional<Cause> cause;      ///< set unless passed
  std::vector<std::string> log;    ///< what the check did, step by step
  double seconds = 0;              ///< wall time
};

/// Points earned and available.
struct Score {
  int earned = 0;
  int total = 0;
};

/// Sum the points of @p results.
inline Score score(const std::vector<Result>& results) {
  Score s;
  for (const auto& r : results) {
    s.total += r.points;
    if (r.outcome == Outcome::passed) s.earned += r.points;
  }
  return s;
}

/// True when every check passed (the checker then exits 0).
inline bool all_passed(const std::vector<Result>& results) {
  for (const auto& r : results)
    if (r.outcome != Outcome::passed) return false;
  return true;
}

}  // namespace checker
