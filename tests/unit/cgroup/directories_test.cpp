// directories_of: where a container's cgroup is, derived from its id alone, so that `gc` finds
// the cgroup of a runtime killed before it could record it. It must name what create() makes.
#include <algorithm>
#include <set>

#include "boxlab/cgroup/cgroup.hpp"
#include "catch.hpp"
#include "fake_cgroupfs.hpp"

namespace cgroup = boxlab::cgroup;

TEST_CASE("directories_of on v2: one directory below the runtime's cgroup", "[cgroup][directories]") {
  cgroup::Layout layout;
  layout.version = cgroup::Version::v2;
  layout.unified_mount = "/sys/fs/cgroup";
  layout.own_v2_path = "/";
  CHECK(cgroup::directories_of(layout, "abc") == std::vector<std::string>{"/sys/fs/cgroup/boxlab/abc"});
  layout.own_v2_path = "/user.slice/user-1000.slice/session-3.scope";
  CHECK(cgroup::directories_of(layout, "abc") ==
        std::vector<std::string>{"/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/boxlab/abc"});
}

TEST_CASE("directories_of on v1: one per hierarchy, each below the runtime's path there", "[cgroup][directories]") {
  cgroup::Layout layout;
  layout.version = cgroup::Version::v1;
  layout.v1_mounts = {{"memory", "/sys/fs/cgroup/memory"},
                      {"cpu", "/sys/fs/cgroup/cpu,cpuacct"},
                      {"cpuacct", "/sys/fs/cgroup/cpu,cpuacct"},
                      {"pids", "/sys/fs/cgroup/pids"}};
  layout.own_v1_paths = {{"memory", "/process_api/abc"}, {"cpu", "/user.slice"}, {"cpuacct", "/user.slice"}, {"pids", "/"}};
  auto dirs = cgroup::directories_of(layout, "id1");
  CHECK(std::set<std::string>(dirs.begin(), dirs.end()) ==
        std::set<std::string>{"/sys/fs/cgroup/memory/process_api/abc/boxlab/id1",
                              "/sys/fs/cgroup/cpu,cpuacct/user.slice/boxlab/id1", "/sys/fs/cgroup/pids/boxlab/id1"});
  CHECK(dirs.size() == 3);  // cpu,cpuacct once
}

TEST_CASE("directories_of names exactly the directories create makes", "[cgroup][directories][fake]") {
  SECTION("v2") {
    fake::V2 fs;
    fs.expect_container("c1");
    auto cg = cgroup::Cgroup::create(fs.layout, "c1", {});
    cg.release();
    CHECK(cg.directories() == cgroup::directories_of(fs.layout, "c1"));
  }
  SECTION("v1") {
    fake::V1 fs;
    fs.expect_container("c1");
    auto cg = cgroup::Cgroup::create(fs.layout, "c1", {});
    cg.release();
    auto made = cg.directories(), derived = cgroup::directories_of(fs.layout, "c1");
    std::sort(made.begin(), made.end());
    std::sort(derived.begin(), derived.end());
    CHECK(made == derived);
  }
}
