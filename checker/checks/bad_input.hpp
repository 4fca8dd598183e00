// Shared by the bad-input checks of labs 08 on: a table of bad command lines, each to be refused
// with Docker's exit code and one error line.
#pragma once

#include <string>
#include <vector>

#include "../src/context.hpp"

namespace checker {

/// A bad command line, the exit code it must end with and a word its one error line must say.
struct BadInput {
  std::vector<std::string> args;
  int code;
  std::string says;
};

/// Run each of @p cases; "ARGS: what happened" for each one that did not end with its code and
/// exactly one line on stderr saying its word (empty when all were refused as they should be).
std::vector<std::string> wrongly_refused(Context& ctx, const std::vector<BadInput>& cases);

}  // namespace checker
