// A check declared as data (after xv6's gradelib: name, points, parent), and the registry of all.
#pragma once

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "result.hpp"

namespace checker {

class Context;

/// Thrown by a check's body when an assertion fails; carries what the student will read.
class Failure : public std::runtime_error {
 public:
  explicit Failure(Cause cause) : std::runtime_error(cause.expected), cause_(std::move(cause)) {}
  const Cause& cause() const noexcept { return cause_; }

 private:
  Cause cause_;
};

/// Throw a Failure with @p cause unless @p ok.
inline void require(bool ok, Cause cause) {
  if (!ok) throw Failure(std::move(cause));
}

/// One check: what it is called, what it is worth, what it needs, and its body.
struct Check {
  std::string name;                          ///< unique id, snake_case
  int lab = 0;                               ///< the lab it grades
  std::string title;                         ///< one line, shown beside the name
  int points = 1;                            ///< worth
  std::string dependency;                    ///< skipped when this check did not pass
  std::chrono::milliseconds timeout{10000};  ///< for the whole check, before --timeout-scale
  std::function<void(Context&)> body;        ///< throws Failure when the lab is wrong
};

/// Every check of every lab, in lab order and, within a lab, in the order they run.
const std::vector<Check>& all_checks();

/// The labs that have checks, ascending.
std::vector<int> labs_with_checks();

/// The checks of @p lab, or with @p include_earlier those of labs 1..@p lab.
std::vector<const Check*> checks_for(int lab, bool include_earlier);

}  // namespace checker
