#include <linux/sched.h>
#include <sys/stat.h>

#include "boxlab/ns/namespace.hpp"
#include "boxlab/ns/user.hpp"
#include "boxlab/ns/uts.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"

namespace ns = boxlab::ns;

TEST_CASE("namespace kinds parse from /proc names and OCI names", "[ns]") {
  CHECK(ns::parse_kind("uts") == ns::Kind::uts);
  CHECK(ns::parse_kind("mnt") == ns::Kind::mnt);
  CHECK(ns::parse_kind("mount") == ns::Kind::mnt);
  CHECK(ns::parse_kind("network") == ns::Kind::net);
  CHECK(ns::oci_name(ns::Kind::net) == "network");
  CHECK_THROWS_WITH(ns::parse_kind("bogus"),
                    "unknown namespace 'bogus' (known: cgroup, ipc, mnt, net, pid, time, user, uts)");
  CHECK(ns::parse_kinds("uts,pid,,net") == std::vector<ns::Kind>{ns::Kind::uts, ns::Kind::pid, ns::Kind::net});
  CHECK(ns::parse_kinds("").empty());
}

TEST_CASE("each kind has its own CLONE_NEW* flag", "[ns]") {
  CHECK(ns::clone_flags({ns::Kind::uts, ns::Kind::pid}) == (CLONE_NEWUTS | CLONE_NEWPID));
  CHECK(ns::clone_flag(ns::Kind::mnt) == CLONE_NEWNS);
  CHECK(ns::clone_flag(ns::Kind::time) == CLONE_NEWTIME);
  uint64_t all = 0;
  for (auto kind : ns::all_kinds()) {
    CHECK((all & ns::clone_flag(kind)) == 0);
    all |= ns::clone_flag(kind);
  }
}

TEST_CASE("a namespace's inode is the inode of /proc/self/ns/NAME", "[ns]") {
  struct stat st{};
  REQUIRE(::stat("/proc/self/ns/uts", &st) == 0);
  CHECK(ns::inode(0, ns::Kind::uts) == st.st_ino);
  for (const auto& row : ns::compare(::getpid())) CHECK(row.shared());
  CHECK_THROWS_WITH(ns::compare(999999999), "no process with pid 999999999");
}

TEST_CASE("hostnames are checked before anything is created", "[ns][uts]") {
  CHECK_NOTHROW(ns::validate_hostname("box"));
  CHECK_NOTHROW(ns::validate_hostname(std::string(64, 'a')));
  CHECK_THROWS_WITH(ns::validate_hostname(std::string(65, 'a')),
                    "hostname 'aaaaaaaaaaaaaaaaaaaa...' is 65 bytes; the kernel allows at most 64 (HOST_NAME_MAX)");
  CHECK_THROWS_WITH(ns::validate_hostname(""), "hostname is empty");
  CHECK_THROWS_AS(ns::validate_hostname("a b"), boxlab::Error);
  CHECK_THROWS_AS(ns::validate_hostname("../etc"), boxlab::Error);
}

TEST_CASE("id maps are written one line per mapping", "[ns][user]") {
  CHECK(ns::format_id_map({{0, 100000, 65536}}) == "0 100000 65536\n");
  CHECK(ns::format_id_map({{0, 1000, 1}, {1, 100000, 65535}}) == "0 1000 1\n1 100000 65535\n");
}
