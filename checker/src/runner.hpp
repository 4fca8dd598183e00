// The runner: each check in order, in its own directory, with a deadline and a leak sweep.
#pragma once

#include <functional>
#include <vector>

#include "check.hpp"
#include "context.hpp"

namespace checker {

/**
 * @brief Run @p checks in order against settings.bin and return one Result each.
 *
 * A check whose dependency did not pass is skipped (unless settings.no_deps). Each check gets
 * a fresh TempDir, its timeout times settings.timeout_scale, and afterwards the leak sweep:
 * anything it left on the host fails it and is cleaned up. @p on_result is called as each
 * check finishes, so the terminal shows progress.
 */
std::vector<Result> run_checks(const std::vector<const Check*>& checks, const Settings& settings,
                               const std::function<void(const Result&)>& on_result = {});

}  // namespace checker
