#include <sys/mount.h>

#include "boxlab/fs/masked_paths.hpp"
#include "boxlab/fs/mount.hpp"
#include "boxlab/fs/pivot.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"

namespace fs = boxlab::fs;

TEST_CASE("fstab options become mount flags and a data string", "[fs][mount]") {
  auto f = fs::parse_mount_options({"nosuid", "strictatime", "mode=755", "size=65536k"});
  CHECK(f.flags == (MS_NOSUID | MS_STRICTATIME));
  CHECK(f.data == "mode=755,size=65536k");
  CHECK(f.propagation == 0);
}

TEST_CASE("later options override earlier ones; propagation is kept apart", "[fs][mount]") {
  auto f = fs::parse_mount_options({"ro", "rw", "nodev", "rbind", "rprivate"});
  CHECK(f.flags == (MS_NODEV | MS_BIND | MS_REC));
  CHECK(f.propagation == (MS_PRIVATE | MS_REC));
  CHECK(f.data.empty());
}

TEST_CASE("Docker's masked and read-only lists hide the host's kernel", "[fs]") {
  const auto& masked = fs::docker_masked_paths();
  CHECK(std::find(masked.begin(), masked.end(), "/proc/kcore") != masked.end());
  const auto& ro = fs::docker_readonly_paths();
  CHECK(std::find(ro.begin(), ro.end(), "/proc/sys") != ro.end());
}

TEST_CASE("a rootfs must exist and be a directory", "[fs][bad-input]") {
  CHECK_NOTHROW(fs::validate_rootfs("/"));
  CHECK_THROWS_WITH(fs::validate_rootfs("/no/such/rootfs"),
                    "rootfs /no/such/rootfs cannot be used: stat /no/such/rootfs: No such file or directory");
  CHECK_THROWS_WITH(fs::validate_rootfs("/etc/passwd"), "rootfs /etc/passwd is not a directory");
  CHECK_THROWS_WITH(fs::validate_rootfs(""), "--rootfs is empty");
}
