// The checker's tests run real checks through the real runner, against fake labs (shell
// scripts, see fixtures/) instead of the reference labs, so they are fast and need no root;
// a report is then compared, as text, with the one recorded in expected/.
#include "fake_lab.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "catch.hpp"

namespace checker_test {

namespace fs = std::filesystem;

fs::path fixture(const std::string& name) { return fs::path(BOXLAB_CHECKER_TESTS_DIR) / "fixtures" / name; }

checker::Settings settings_for(const std::string& lab) {
  checker::Settings settings;
  settings.bin = fixture(lab);
  settings.probe = BOXLAB_PROBE;
  return settings;
}

checker::Check make_check(const std::string& name, const std::string& dependency,
                          std::function<void(checker::Context&)> body, int points,
                          std::chrono::milliseconds timeout) {
  return checker::Check{name, 1, "the " + name + " check", points, dependency, timeout, std::move(body)};
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void check_recorded(const std::string& name, const std::string& actual) {
  fs::path path = fs::path(BOXLAB_CHECKER_TESTS_DIR) / "expected" / name;
  const char* update = std::getenv("BOXLAB_UPDATE_EXPECTED");
  if (update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << actual;
    WARN("recorded " << path.string());
  }
  INFO("recorded output: " << path.string()
                           << " (after an intended change: BOXLAB_UPDATE_EXPECTED=1, then review the diff)");
  REQUIRE(fs::exists(path));
  CHECK(actual == read_file(path));
}

}  // namespace checker_test
