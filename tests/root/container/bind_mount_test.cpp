// Root tests of bind mounts in a spec (fs/bind_mount.cpp): a host directory or file appears in
// the container, read-only when asked, and a destination that is a symlink pointing out of the
// rootfs is resolved inside it, never on the host.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "boxlab/container/run.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "root/no_leaks.hpp"
#include "root/run_captured.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;
namespace stdfs = std::filesystem;

namespace {

using test::Ran;
using test::run_captured;

// A private busybox rootfs and a host directory with a file in it.
struct World {
  test::TempDir dir;
  stdfs::path rootfs = dir.path() / "rootfs";
  stdfs::path host = dir.path() / "host";
  World() {
    stdfs::copy(test::busybox_rootfs(), rootfs, stdfs::copy_options::recursive | stdfs::copy_options::copy_symlinks);
    stdfs::create_directories(host);
    std::ofstream(host / "note") << "from the host\n";
  }
  container::Spec spec(std::vector<std::string> args) const {
    auto s = container::default_spec(std::move(args));
    s.root.path = rootfs;
    container::add_rootfs_defaults(s);
    return s;
  }
};

}  // namespace

TEST_CASE_METHOD(test::NoLeaks, "a bind mount shows a host directory; writes reach the host", "[root][container][bind]") {
  World w;
  auto spec = w.spec({"/bin/sh", "-c", "cat /data/note; echo back > /data/reply"});
  spec.mounts.push_back({"/data", "bind", w.host, {"rbind"}});
  auto r = run_captured(spec);
  CHECK(r.code == 0);
  CHECK(r.out == "from the host\n");
  CHECK(boxlab::sys::read_file(w.host / "reply") == "back\n");
}

TEST_CASE_METHOD(test::NoLeaks, "a read-only bind mount refuses writes; a file can be bound too", "[root][container][bind]") {
  World w;
  auto spec = w.spec({"/bin/sh", "-c", "cat /etc/motd-from-host; echo x > /data/new || echo refused"});
  spec.mounts.push_back({"/data", "bind", w.host, {"bind", "ro"}});
  spec.mounts.push_back({"/etc/motd-from-host", "bind", w.host / "note", {"bind", "ro"}});
  auto r = run_captured(spec);
  CHECK(r.code == 0);
  CHECK(r.out.find("from the host\n") == 0);
  CHECK(r.out.find("Read-only file system") != std::string::npos);
  CHECK(r.out.find("refused") != std::string::npos);
  CHECK(!stdfs::exists(w.host / "new"));
}

TEST_CASE_METHOD(test::NoLeaks, "a destination that is a symlink out of the rootfs is resolved inside it", "[root][container][bind]") {
  World w;
  // An absolute symlink and a "../.." one: on the host both would lead to the host's /tmp.
  test::TempDir outside;
  stdfs::create_symlink(outside.path(), w.rootfs / "escape");
  stdfs::create_symlink("../../../../../../../.." + outside.path().string(), w.rootfs / "climb");
  auto spec = w.spec({"/bin/sh", "-c", "cat " + outside.path().string() + "/note " + outside.path().string() + "/x/note"});
  spec.mounts.push_back({"/escape", "bind", w.host, {"rbind"}});
  spec.mounts.push_back({"/climb/x", "bind", w.host, {"rbind"}});
  auto r = run_captured(spec);
  CHECK(r.code == 0);
  CHECK(r.out == "from the host\nfrom the host\n");
  // Inside, both landed below the rootfs's own copy of that path; the host's is untouched.
  CHECK(stdfs::is_empty(outside.path()));
  CHECK(stdfs::exists(w.rootfs / outside.path().relative_path()));
}

TEST_CASE_METHOD(test::NoLeaks, "a bind source that does not exist is refused and leaves nothing", "[root][container][bind]") {
  World w;
  auto spec = w.spec({"/bin/true"});
  spec.mounts.push_back({"/data", "bind", w.host / "missing", {"rbind"}});
  try {
    run_captured(spec);
    FAIL("the run should have failed");
  } catch (const boxlab::Error& e) {
    CHECK(std::string(e.what()).find("bind source path does not exist: " + (w.host / "missing").string()) != std::string::npos);
  }
  CHECK(!stdfs::exists(w.rootfs / "data"));
}
