// The report formats: terminal (check50's style), JSON, JUnit XML, Gradescope results.json.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "result.hpp"

namespace checker {

/// One check's terminal lines: ":) name (title) [2 pts] 0.43s", then on failure its cause.
std::string terminal_lines(const Result& result, bool colour);

/// "Score: 12/15" (coloured green on full marks when @p colour).
std::string terminal_score(const std::vector<Result>& results, bool colour);

/// check50-like JSON: {"lab", "score", "max_score", "results": [{name, description, passed,
/// cause, log, dependency, points, seconds}]}; "passed" is null for a skipped check.
std::string to_json(const std::vector<Result>& results, int lab);

/// JUnit XML: one <testsuite> per lab, one <testcase> per check with <failure> or <skipped>.
std::string to_junit(const std::vector<Result>& results);

/// Gradescope's results.json: {"score", "tests": [{name, score, max_score, output, status}]}.
std::string to_gradescope(const std::vector<Result>& results);

/// Write @p text to @p path (throws boxlab::Error naming the file when it cannot).
void write_text(const std::filesystem::path& path, const std::string& text);

}  // namespace checker
