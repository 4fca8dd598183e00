/**
 * @file grade.hpp
 * @brief Grading a class: build each student's submission and run the reference checks on it.
 *
 * `checker grade --lab NN SUBMISSIONS_DIR --out gradebook.csv` grades every subdirectory of
 * SUBMISSIONS_DIR (one student each, in name order). Each is configured and built in a fresh
 * directory with a time limit, and its labNN is checked by the reference checker (the running
 * one, never the submission's own copy), in a subprocess with its own BOXLAB_ROOT and TMPDIR.
 * After each student, the grader makes sure nothing of the submission is left (processes, mounts
 * under its directories) and removes it, so one submission's leftovers never change another's
 * result.
 */
#pragma once

#include <filesystem>

namespace checker {

/// What to grade and where to write the gradebook.
struct GradeOptions {
  int lab;                              ///< the lab to grade (its checks and every earlier lab's)
  std::filesystem::path submissions;    ///< one subdirectory per student, named after them
  std::filesystem::path out;            ///< the gradebook: *.csv or *.json
  std::filesystem::path checker_exe;    ///< the reference checker (usually /proc/self/exe)
};

/**
 * @brief Build and grade every submission, print one line per student, write the gradebook.
 *
 * The gradebook is CSV (`student,score,max,<check>,…` with pass / fail / skip per check) when
 * @p options.out ends in .csv, JSON (an array of {student, score, max, build_ok, cause,
 * checks: [{name, passed, points, max_points, cause}], log, cleanup}) when it ends in .json.
 * A submission that does not build scores 0 with cause "build failed" and the end of its log.
 *
 * @throws boxlab::Error when the submissions directory or the checker does not exist, or the
 *         gradebook has another extension or cannot be written.
 * @return 0 when every submission was graded; 1 when the checker itself failed on one (its
 *         line says so), so a grading run that needs a look does not pass silently.
 */
int grade(const GradeOptions& options);

}  // namespace checker
