// What the checker's own tests share: the fake labs in fixtures/, checks made on the spot, and
// the comparison of a report with its recorded output in expected/.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "check.hpp"
#include "context.hpp"

namespace checker_test {

/// A fake lab binary in checker/tests/fixtures (e.g. "good-lab").
std::filesystem::path fixture(const std::string& name);

/// Settings that run the checks against the fake lab @p lab, with the built probe.
checker::Settings settings_for(const std::string& lab);

/// A check of lab 01 named @p name, worth @p points, that needs @p dependency.
checker::Check make_check(const std::string& name, const std::string& dependency,
                          std::function<void(checker::Context&)> body, int points = 1,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// The whole text of the file at @p path.
std::string read_file(const std::filesystem::path& path);

/**
 * @brief Check that @p actual is the text recorded in checker/tests/expected/@p name.
 *
 * With BOXLAB_UPDATE_EXPECTED=1 in the environment, record @p actual instead (then review the
 * diff before committing it).
 */
void check_recorded(const std::string& name, const std::string& actual);

}  // namespace checker_test
