// Bad input refused in one line (bad_input.hpp).
#include "bad_input.hpp"

#include "../src/diagnose.hpp"
#include "rootfs.hpp"

namespace checker {

std::vector<std::string> wrongly_refused(Context& ctx, const std::vector<BadInput>& cases) {
  std::vector<std::string> failures;
  for (const auto& c : cases) {
    LabRun run = ctx.run(c.args);
    if (run.code() != c.code || count_lines(run.err) != 1 || run.err.find(c.says) == std::string::npos)
      failures.push_back(join(c.args) + ": " + describe_run(run));
  }
  return failures;
}

}  // namespace checker
