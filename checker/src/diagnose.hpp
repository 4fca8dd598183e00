// Judging a lab run by its exit status, and choosing the hint by HOW it failed.
#pragma once

#include <string>

#include "check.hpp"
#include "lab_process.hpp"

namespace checker {

/// What a run did, for a cause's "seen": "exit 125, stderr: \"lab01: ...\"".
std::string describe_run(const LabRun& run);

/// The first line of @p text (without the newline), cut to a readable length.
std::string first_line(const std::string& text);

/// Number of non-empty lines in @p text.
int count_lines(const std::string& text);

/**
 * @brief The hint for a run that should have ended with @p expected_code but did not.
 *
 * Chosen by how it ended: a handout's "not written yet" names the missing region; 127/126
 * when the command should have run say exec failed; 125 quotes the lab's own error; a lab
 * killed by a signal says it crashed; a wrong code says to return the command's own status.
 */
std::string hint_for(const LabRun& run, int expected_code);

/// Throw a Failure (expected: @p expected) unless @p run ended with @p expected_code.
void expect_exit(const LabRun& run, int expected_code, const std::string& expected);

/// A Failure for a run whose output is not what was expected (the exit code was right).
Failure wrong_output(const LabRun& run, const std::string& expected, const std::string& hint);

}  // namespace checker
