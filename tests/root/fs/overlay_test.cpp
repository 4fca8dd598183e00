// Root tests of the overlay against the real kernel: whiteout conversion (mknod, trusted.*
// xattrs), the merged view (top layer wins, whiteouts and opaque dirs hide lower names), copy-up
// into the upper dir, diff's D, sharing a lower dir, and nothing left after unmount.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "boxlab/container/diff.hpp"
#include "boxlab/fs/overlay.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace fs = boxlab::fs;
namespace container = boxlab::container;
namespace stdfs = std::filesystem;

namespace {

void write(const stdfs::path& file, const std::string& text) {
  stdfs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

std::string read(const stdfs::path& file) { return boxlab::sys::read_file(file); }

bool mounted_at(const std::string& target) {
  auto table = test::mount_table();
  return std::any_of(table.begin(), table.end(),
                     [&](const std::string& line) { return line.find(" " + target + " ") != std::string::npos; });
}

// base: /etc/passwd, /etc/motd, /data/{a,b}; app: OCI whiteouts for /etc/motd and /data, /etc/app.
struct Layers {
  test::TempDir tmp;
  std::string base = tmp.path() / "base", app = tmp.path() / "app";
  Layers() {
    write(tmp.path() / "base/etc/passwd", "root:x:0:0\n");
    write(tmp.path() / "base/etc/motd", "hello\n");
    write(tmp.path() / "base/data/a", "a");
    write(tmp.path() / "base/data/b", "b");
    write(tmp.path() / "app/etc/app", "app\n");
    write(tmp.path() / "app/etc/.wh.motd", "");
    write(tmp.path() / "app/data/.wh..wh..opq", "");
    write(tmp.path() / "app/data/c", "c");
  }
  // upper, work and merged dirs named @p name
  fs::OverlayDirs dirs(const std::string& name) {
    for (const char* sub : {"upper", "work", "merged"}) stdfs::create_directories(tmp.path() / name / sub);
    return {{base, app}, tmp.path() / name / "upper", tmp.path() / name / "work"};
  }
  std::string merged(const std::string& name) { return tmp.path() / name / "merged"; }
};

}  // namespace

TEST_CASE("OCI whiteouts become a 0:0 character device and an opaque xattr", "[root][fs][overlay]") {
  Layers l;
  CHECK(fs::convert_whiteouts(l.app) == 2);
  struct stat st = boxlab::sys::lstat(l.app + "/etc/motd");
  CHECK(fs::is_overlay_whiteout(st));
  CHECK(S_ISCHR(st.st_mode));
  CHECK(st.st_rdev == makedev(0, 0));
  CHECK_FALSE(stdfs::exists(l.app + "/etc/.wh.motd"));
  CHECK(fs::is_opaque_dir(l.app + "/data"));
  CHECK_FALSE(stdfs::exists(l.app + "/data/.wh..wh..opq"));
  CHECK_FALSE(fs::is_opaque_dir(l.app + "/etc"));
  CHECK(fs::convert_whiteouts(l.app) == 0);  // idempotent
  CHECK_THROWS_WITH(fs::convert_whiteouts(l.tmp.path() / "missing"), test::contains("not a directory"));
}

TEST_CASE("the merged view: top layer wins, whiteouts and opaque dirs hide, writes go up", "[root][fs][overlay]") {
  Layers l;
  fs::convert_whiteouts(l.app);
  std::string merged = l.merged("c1");
  auto dirs = l.dirs("c1");
  {
    auto overlay = fs::OverlayMount::mount(dirs, merged);
    CHECK(mounted_at(merged));
    CHECK(read(merged + "/etc/passwd") == "root:x:0:0\n");
    CHECK(read(merged + "/etc/app") == "app\n");
    CHECK_FALSE(stdfs::exists(merged + "/etc/motd"));
    CHECK_FALSE(stdfs::exists(merged + "/data/a"));
    CHECK(read(merged + "/data/c") == "c");
    std::ofstream(merged + "/etc/passwd", std::ios::app) << "me:x:1000:1000\n";
    write(merged + "/new", "n");
    stdfs::remove(merged + "/etc/app");
    // copy-up: the lower file is unchanged, the upper dir has the copy and a whiteout
    CHECK(read(l.base + "/etc/passwd") == "root:x:0:0\n");
    CHECK(read(dirs.upper + "/etc/passwd") == "root:x:0:0\nme:x:1000:1000\n");
    CHECK(fs::is_overlay_whiteout(boxlab::sys::lstat(dirs.upper + "/etc/app")));
  }
  CHECK_FALSE(mounted_at(merged));
  CHECK(stdfs::is_empty(merged));
  CHECK(container::format_changes(container::diff(dirs.upper, dirs.layers)) ==
        "C /etc\n"
        "D /etc/app\n"
        "C /etc/passwd\n"
        "A /new\n");
}

TEST_CASE("two overlays share a lower dir; a write in one is invisible in the other", "[root][fs][overlay]") {
  Layers l;
  fs::convert_whiteouts(l.app);
  auto one = fs::OverlayMount::mount(l.dirs("c1"), l.merged("c1"));
  auto two = fs::OverlayMount::mount(l.dirs("c2"), l.merged("c2"));
  // Same file, unchanged: the same lower inode (overlay shows the lower file's st_dev/st_ino
  // for a non-directory that was not copied up).
  CHECK(boxlab::sys::stat(l.merged("c1") + "/etc/passwd").st_ino == boxlab::sys::stat(l.base + "/etc/passwd").st_ino);
  CHECK(boxlab::sys::stat(l.merged("c2") + "/etc/passwd").st_ino == boxlab::sys::stat(l.base + "/etc/passwd").st_ino);
  write(l.merged("c1") + "/etc/passwd", "changed in c1\n");
  CHECK(read(l.merged("c1") + "/etc/passwd") == "changed in c1\n");
  CHECK(read(l.merged("c2") + "/etc/passwd") == "root:x:0:0\n");
  CHECK(read(l.base + "/etc/passwd") == "root:x:0:0\n");
}

TEST_CASE("an opaque dir in the upper layer shows as C, the lower entries it hides as D", "[root][fs][overlay][diff]") {
  Layers l;
  fs::convert_whiteouts(l.app);
  auto dirs = l.dirs("c1");
  {
    auto overlay = fs::OverlayMount::mount(dirs, l.merged("c1"));
    stdfs::remove_all(l.merged("c1") + "/etc");
    write(l.merged("c1") + "/etc/passwd", "new\n");
  }
  CHECK(fs::is_opaque_dir(dirs.upper + "/etc"));
  CHECK(container::format_changes(container::diff(dirs.upper, dirs.layers)) ==
        "C /etc\n"
        "D /etc/app\n"
        "C /etc/passwd\n");
}

TEST_CASE("a container's overlay dirs: created locked, kept or removed, swept", "[root][fs][overlay]") {
  test::TempDir tmp;
  Layers l;
  std::string root = tmp.path() / "overlay";
  {
    auto layer = fs::ContainerLayer::create(root, "aaaa1111", {l.base, l.app}, false);
    CHECK(stdfs::is_directory(layer.dirs().upper));
    CHECK(layer.dirs().layers == std::vector<std::string>{l.base, l.app});
    CHECK(fs::find_container_layer(root, "aaaa").upper == root + "/aaaa1111/upper");
    CHECK_THROWS_WITH(fs::remove_container_layer(root, "aaaa"), test::contains("running"));
    CHECK(fs::sweep_container_layers(root) == 0);  // its runtime (we) holds the lock
  }
  CHECK_FALSE(stdfs::exists(root + "/aaaa1111"));
  {
    auto layer = fs::ContainerLayer::create(root, "bbbb2222", {l.base}, true);
  }
  CHECK(stdfs::is_directory(root + "/bbbb2222/upper"));
  CHECK_FALSE(stdfs::exists(root + "/bbbb2222/work"));
  CHECK(fs::sweep_container_layers(root) == 0);  // kept: not garbage
  CHECK(fs::find_container_layer(root, "bbbb").layers == std::vector<std::string>{l.base});
  fs::remove_container_layer(root, "bbbb");
  CHECK_FALSE(stdfs::exists(root + "/bbbb2222"));
  CHECK_THROWS_WITH(fs::find_container_layer(root, "cccc"), test::contains("no such container"));
}

TEST_CASE("a mount with a missing dir is refused before mount(2)", "[root][fs][overlay]") {
  Layers l;
  auto dirs = l.dirs("c1");
  dirs.layers.push_back(l.tmp.path() / "missing");
  CHECK_THROWS(fs::OverlayMount::mount(dirs, l.merged("c1")));
  CHECK_FALSE(mounted_at(l.merged("c1")));
}

TEST_CASE("paths with ':' and ',' are escaped so the kernel reads them back", "[root][fs][overlay]") {
  test::TempDir tmp;
  stdfs::path odd = tmp.path() / "odd,name:here";
  write(odd / "base/file", "from base");
  for (const char* sub : {"upper", "work", "merged"}) stdfs::create_directories(odd / sub);
  fs::OverlayDirs dirs{{odd / "base"}, odd / "upper", odd / "work"};
  {
    auto overlay = fs::OverlayMount::mount(dirs, odd / "merged");
    CHECK(read(odd / "merged/file") == "from base");
    write(odd / "merged/new", "n");
  }
  CHECK(read(odd / "upper/new") == "n");
  CHECK_FALSE(mounted_at(odd / "merged"));
}
