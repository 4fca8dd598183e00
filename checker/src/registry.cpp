// The registry: every lab's checks in one list, in the order they run.
#include <set>

#include "../checks/checks.hpp"
#include "check.hpp"

namespace checker {

const std::vector<Check>& all_checks() {
  static const std::vector<Check> checks = [] {
    std::vector<Check> out;
    for (auto* lab : {&lab01_checks, &lab02_checks, &lab03_checks, &lab04_checks, &lab05_checks, &lab06_checks, &lab07_checks, &lab08_checks, &lab09_checks})
      for (auto& check : lab()) out.push_back(std::move(check));
    return out;
  }();
  return checks;
}

std::vector<int> labs_with_checks() {
  std::set<int> labs;
  for (const auto& c : all_checks()) labs.insert(c.lab);
  return {labs.begin(), labs.end()};
}

std::vector<const Check*> checks_for(int lab, bool include_earlier) {
  std::vector<const Check*> out;
  for (const auto& c : all_checks())
    if (c.lab == lab || (include_earlier && c.lab < lab)) out.push_back(&c);
  return out;
}

}  // namespace checker
