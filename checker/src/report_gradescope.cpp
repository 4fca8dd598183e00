// Gradescope report: the results.json an autograder writes to /autograder/results/
// (Gradescope's "Autograder Specifications": score, and tests with score/max_score/status).
#include <nlohmann/json.hpp>

#include "report.hpp"

namespace checker {

using nlohmann::json;

namespace {

std::string output_of(const Result& r) {
  if (r.outcome == Outcome::passed) return "passed";
  if (!r.cause) return "failed";
  if (r.outcome == Outcome::skipped) return "skipped: " + r.cause->hint;
  return "expected: " + r.cause->expected + "\nseen: " + r.cause->seen + "\nhint: " + r.cause->hint;
}

}  // namespace

std::string to_gradescope(const std::vector<Result>& results) {
  json tests = json::array();
  for (const auto& r : results) {
    bool passed = r.outcome == Outcome::passed;
    tests.push_back({{"name", r.name + " (" + r.title + ")"},
                     {"number", "lab" + std::string(r.lab < 10 ? "0" : "") + std::to_string(r.lab)},
                     {"score", passed ? r.points : 0},
                     {"max_score", r.points},
                     {"output", output_of(r)},
                     {"status", passed ? "passed" : "failed"}});
  }
  Score s = score(results);
  json doc{{"score", s.earned}, {"tests", tests}};
  return doc.dump(2) + "\n";
}

}  // namespace checker
