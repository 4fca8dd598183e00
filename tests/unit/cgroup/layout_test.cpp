// Layout detection from /proc/self/cgroup and /proc/self/mountinfo, on texts recorded from
// the three kinds of machines: pure v1 (CentOS 7), hybrid (Ubuntu 20.04, Debian 10, the
// machine these tests were written on) and pure v2 (Debian 12, Ubuntu 22.04, Fedora).
#include "boxlab/cgroup/cgroup.hpp"
#include "boxlab/cgroup/layout.hpp"
#include "catch.hpp"

namespace cgroup = boxlab::cgroup;

namespace {

// CentOS 7 (systemd 219, cgroup v1 only).
const char* kV1ProcCgroup =
    "11:devices:/user.slice\n"
    "10:memory:/user.slice/user-1000.slice\n"
    "9:hugetlb:/\n"
    "8:cpu,cpuacct:/user.slice\n"
    "7:pids:/user.slice/user-1000.slice/session-1.scope\n"
    "6:net_cls,net_prio:/\n"
    "5:cpuset:/\n"
    "4:blkio:/user.slice\n"
    "3:freezer:/\n"
    "2:perf_event:/\n"
    "1:name=systemd:/user.slice/user-1000.slice/session-1.scope\n";

const char* kV1Mountinfo =
    "18 41 0:17 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw,seclabel\n"
    "25 18 0:21 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:7 - tmpfs tmpfs ro,seclabel,mode=755\n"
    "26 25 0:22 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup "
    "rw,seclabel,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd\n"
    "28 25 0:24 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup "
    "rw,seclabel,net_prio,net_cls\n"
    "29 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup "
    "rw,seclabel,cpuacct,cpu\n"
    "30 25 0:26 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,seclabel,memory\n"
    "31 25 0:27 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,seclabel,pids\n"
    "32 25 0:28 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,seclabel,cpuset\n"
    "33 25 0:29 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,seclabel,blkio\n"
    "34 25 0:30 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,seclabel,freezer\n"
    "35 25 0:31 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,seclabel,devices\n"
    "36 25 0:32 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,seclabel,hugetlb\n"
    "37 25 0:33 / /sys/fs/cgroup/perf_event rw,nosuid,nodev,noexec,relatime shared:19 - cgroup cgroup rw,seclabel,perf_event\n";

// Ubuntu 20.04 (systemd 245, hybrid): v1 controllers plus an empty cgroup2 at unified/.
const char* kHybridProcCgroup =
    "12:rdma:/\n"
    "11:pids:/user.slice/user-1000.slice/session-3.scope\n"
    "10:cpu,cpuacct:/user.slice\n"
    "9:memory:/user.slice/user-1000.slice/session-3.scope\n"
    "8:blkio:/user.slice\n"
    "7:devices:/user.slice\n"
    "6:cpuset:/\n"
    "5:freezer:/\n"
    "4:perf_event:/\n"
    "3:hugetlb:/\n"
    "2:net_cls,net_prio:/\n"
    "1:name=systemd:/user.slice/user-1000.slice/session-3.scope\n"
    "0::/user.slice/user-1000.slice/session-3.scope\n";

const char* kHybridMountinfo =
    "24 31 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "33 24 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
    "34 33 0:29 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
    "35 33 0:30 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd\n"
    "38 33 0:33 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct\n"
    "39 33 0:34 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup "
    "rw,net_cls,net_prio\n"
    "40 33 0:35 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,memory\n"
    "41 33 0:36 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,pids\n"
    "42 33 0:37 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:19 - cgroup cgroup rw,cpuset\n"
    "43 33 0:38 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:20 - cgroup cgroup rw,blkio\n"
    "44 33 0:39 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:21 - cgroup cgroup rw,freezer\n"
    "45 33 0:40 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:22 - cgroup cgroup rw,devices\n"
    "46 33 0:41 / /sys/fs/cgroup/rdma rw,nosuid,nodev,noexec,relatime shared:23 - cgroup cgroup rw,rdma\n";

// Debian 12 (systemd 252, cgroup v2 only).
const char* kV2ProcCgroup = "0::/user.slice/user-1000.slice/session-3.scope\n";

const char* kV2Mountinfo =
    "22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "26 22 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n"
    "27 22 0:26 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:5 - pstore pstore rw\n"
    "29 28 0:27 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n";

}  // namespace

TEST_CASE("/proc/self/cgroup of a v1 machine: one path per controller", "[cgroup][layout]") {
  auto paths = cgroup::parse_proc_cgroup(kV1ProcCgroup);
  CHECK(paths.at("memory") == "/user.slice/user-1000.slice");
  CHECK(paths.at("cpu") == "/user.slice");  // co-mounted: both names get the path
  CHECK(paths.at("cpuacct") == "/user.slice");
  CHECK(paths.at("net_prio") == "/");
  CHECK(paths.at("pids") == "/user.slice/user-1000.slice/session-1.scope");
  CHECK(paths.at("name=systemd") == "/user.slice/user-1000.slice/session-1.scope");
  CHECK(paths.count("") == 0);
}

TEST_CASE("/proc/self/cgroup of a hybrid machine: v1 paths and the v2 line", "[cgroup][layout]") {
  auto paths = cgroup::parse_proc_cgroup(kHybridProcCgroup);
  CHECK(paths.at("memory") == "/user.slice/user-1000.slice/session-3.scope");
  CHECK(paths.at("cpuset") == "/");
  CHECK(paths.at("") == "/user.slice/user-1000.slice/session-3.scope");
  CHECK(paths.size() == 15);  // 14 controller names (cpu,cpuacct and net_cls,net_prio split) + ""
}

TEST_CASE("/proc/self/cgroup of a v2 machine: the one line 0::PATH", "[cgroup][layout]") {
  auto paths = cgroup::parse_proc_cgroup(kV2ProcCgroup);
  REQUIRE(paths.size() == 1);
  CHECK(paths.at("") == "/user.slice/user-1000.slice/session-3.scope");
  CHECK(cgroup::parse_proc_cgroup("0::/\n").at("") == "/");
  CHECK(cgroup::parse_proc_cgroup("0::/\n").size() == 1);
}

TEST_CASE("/proc/self/cgroup: a path may hold ':'; junk lines are skipped", "[cgroup][layout]") {
  auto paths = cgroup::parse_proc_cgroup("4:memory:/machine.slice/libpod-1:2.scope\nnot a line\n\n0::/a:b\n");
  CHECK(paths.at("memory") == "/machine.slice/libpod-1:2.scope");
  CHECK(paths.at("") == "/a:b");
  CHECK(paths.size() == 2);
  CHECK(cgroup::parse_proc_cgroup("").empty());
}

TEST_CASE("mountinfo of a v1 machine: controllers from the super options, co-mounts share", "[cgroup][layout]") {
  cgroup::Layout layout;
  cgroup::parse_cgroup_mounts(kV1Mountinfo, layout);
  CHECK(layout.unified_mount.empty());
  CHECK(layout.v1_mounts.at("memory") == "/sys/fs/cgroup/memory");
  CHECK(layout.v1_mounts.at("cpu") == "/sys/fs/cgroup/cpu,cpuacct");
  CHECK(layout.v1_mounts.at("cpuacct") == "/sys/fs/cgroup/cpu,cpuacct");
  CHECK(layout.v1_mounts.at("net_cls") == "/sys/fs/cgroup/net_cls,net_prio");
  CHECK(layout.v1_mounts.at("pids") == "/sys/fs/cgroup/pids");
  CHECK(layout.v1_mounts.at("blkio") == "/sys/fs/cgroup/blkio");
  CHECK(layout.v1_mounts.at("freezer") == "/sys/fs/cgroup/freezer");
  // Flags and named hierarchies are not controllers.
  for (const char* not_controller : {"rw", "seclabel", "xattr", "name=systemd", "systemd", "ro", "mode=755"})
    CHECK(layout.v1_mounts.count(not_controller) == 0);
  CHECK(layout.v1_mounts.size() == 12);
}

TEST_CASE("mountinfo of a hybrid machine: v1 controllers and the empty cgroup2 beside them", "[cgroup][layout]") {
  cgroup::Layout layout;
  cgroup::parse_cgroup_mounts(kHybridMountinfo, layout);
  CHECK(layout.unified_mount == "/sys/fs/cgroup/unified");
  CHECK(layout.v1_mounts.at("memory") == "/sys/fs/cgroup/memory");
  CHECK(layout.v1_mounts.at("cpuacct") == "/sys/fs/cgroup/cpu,cpuacct");
  CHECK(layout.v1_mounts.at("rdma") == "/sys/fs/cgroup/rdma");
  CHECK(layout.v1_mounts.count("systemd") == 0);
  CHECK(layout.v1_mounts.count("nsdelegate") == 0);
}

TEST_CASE("mountinfo of a v2 machine: the unified mount and no v1 controller", "[cgroup][layout]") {
  cgroup::Layout layout;
  cgroup::parse_cgroup_mounts(kV2Mountinfo, layout);
  CHECK(layout.unified_mount == "/sys/fs/cgroup");
  CHECK(layout.v1_mounts.empty());
  // Super options of cgroup2 are flags, not controllers.
  CHECK(layout.v1_mounts.count("memory_recursiveprot") == 0);
}

TEST_CASE("mountinfo: a second mount of a hierarchy does not replace the first", "[cgroup][layout]") {
  cgroup::Layout layout;
  cgroup::parse_cgroup_mounts(std::string(kHybridMountinfo) +
                                  "90 61 0:35 / /tmp/x/memory rw,relatime shared:40 - cgroup cgroup rw,memory\n"
                                  "91 61 0:29 / /tmp/x/unified rw,relatime shared:41 - cgroup2 cgroup2 rw\n",
                              layout);
  CHECK(layout.v1_mounts.at("memory") == "/sys/fs/cgroup/memory");
  CHECK(layout.unified_mount == "/sys/fs/cgroup/unified");
}

TEST_CASE("mountinfo: lines that are not cgroup mounts, or are cut short, are ignored", "[cgroup][layout]") {
  cgroup::Layout layout;
  cgroup::parse_cgroup_mounts("garbage\n1 2 3\n40 33 0:35 / /sys/fs/cgroup/memory rw - cgroup\n\n", layout);
  CHECK(layout.v1_mounts.empty());
  CHECK(layout.unified_mount.empty());
}

TEST_CASE("detect_layout describes this machine consistently", "[cgroup][layout]") {
  cgroup::Layout layout = cgroup::detect_layout();
  if (layout.version == cgroup::Version::v2) {
    CHECK(layout.description == "v2");
    CHECK_FALSE(layout.unified_mount.empty());
    CHECK(layout.own_v2_path.rfind('/', 0) == 0);
    CHECK(cgroup::directories_of(layout, "x").size() == 1);
  } else {
    CHECK((layout.description == "v1" || layout.description == "hybrid"));
    CHECK(layout.description == (layout.unified_mount.empty() ? "v1" : "hybrid"));
    CHECK(layout.v1_mounts.count("memory") + layout.v1_mounts.count("pids") > 0);
    for (const auto& [controller, mount] : layout.v1_mounts) {
      INFO(controller);
      CHECK(layout.own_v1_paths.count(controller) == 1);
      CHECK(layout.own_v1_paths.at(controller).rfind('/', 0) == 0);
    }
  }
}
