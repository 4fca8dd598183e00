// Terminal report, in check50's style: ":)" passed, ":(" failed with expected/seen/hint,
// ":|" skipped because a dependency failed; then the score. Colour only on a terminal.
#include <fmt/core.h>

#include "report.hpp"

namespace checker {

namespace {

constexpr const char* kGreen = "\033[32m";
constexpr const char* kRed = "\033[31m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kReset = "\033[0m";

std::string paint(const std::string& text, const char* colour, bool on) {
  return on ? colour + text + kReset : text;
}

std::string points(int n) { return fmt::format("[{} pt{}]", n, n == 1 ? "" : "s"); }

// " 0.03s": most checks of the early labs take tens of milliseconds, which tenths would show
// as 0.0s.
std::string duration(double seconds) { return fmt::format(" {:.2f}s\n", seconds); }

std::string cause_lines(const Cause& cause) {
  std::string out;
  if (!cause.expected.empty()) out += "    expected: " + cause.expected + "\n";
  if (!cause.seen.empty()) out += "    seen:     " + cause.seen + "\n";
  if (!cause.hint.empty()) out += "    hint:     " + cause.hint + "\n";
  return out;
}

}  // namespace

std::string terminal_lines(const Result& r, bool colour) {
  std::string head = fmt::format("{} ({}) {}", r.name, r.title, points(r.points));
  switch (r.outcome) {
    case Outcome::passed:
      return paint(":) " + head, kGreen, colour) + duration(r.seconds);
    case Outcome::skipped:
      return paint(":| " + head + " skipped: depends on " + r.dependency + ", which failed", kYellow,
                   colour) + "\n";
    case Outcome::failed:
      break;
  }
  return paint(":( " + head, kRed, colour) + duration(r.seconds) +
         (r.cause ? cause_lines(*r.cause) : std::string());
}

std::string terminal_score(const std::vector<Result>& results, bool colour) {
  Score s = score(results);
  std::string line = fmt::format("Score: {}/{}", s.earned, s.total);
  return paint(line, all_passed(results) ? kGreen : kRed, colour) + "\n";
}

}  // namespace checker
