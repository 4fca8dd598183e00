// A root test's promise to leave the host as it found it: the same mount table at the end of
// the scope, and no child process still alive.
#pragma once

#include <string>
#include <vector>

#include "catch.hpp"
#include "test_support.hpp"

namespace test {

/// Snapshot the mount table now; at the end of the scope, check it again and check that no
/// child of the test process is left.
struct NoLeaks {
  std::vector<std::string> mounts = mount_table();
  ~NoLeaks() {
    CHECK(mount_table() == mounts);
    CHECK(child_pids().empty());
  }
};

}  // namespace test
