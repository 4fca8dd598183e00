// The *at wrappers that confine paths: openat2 with RESOLVE_IN_ROOT (openat2(2)), and xattrs.
#include <fcntl.h>
#include <linux/openat2.h>

#include <filesystem>
#include <fstream>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "test_support.hpp"

TEST_CASE("openat2 RESOLVE_IN_ROOT keeps every path below its root", "[sys][openat2]") {
  test::TempDir dir;
  std::filesystem::create_directory(dir.path() / "root");
  std::ofstream(dir.path() / "outside") << "host";
  std::ofstream(dir.path() / "root" / "outside") << "inside";
  std::filesystem::create_symlink("/outside", dir.path() / "root" / "link");
  std::filesystem::create_symlink("../../outside", dir.path() / "root" / "up");
  auto root = boxlab::sys::open((dir.path() / "root").string(), O_DIRECTORY | O_PATH);
  for (const char* path : {"../outside", "/outside", "link", "up"}) {
    auto fd = boxlab::sys::openat2(root.get(), path, O_RDONLY, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    char text[16] = {};
    boxlab::sys::read(fd.get(), text, sizeof text - 1);
    CHECK(std::string(text) == "inside");
  }
}

TEST_CASE("xattrs set and read back; an unset one is nullopt", "[sys][xattr]") {
  test::TempDir dir;
  std::ofstream(dir.path() / "f") << "x";
  std::string path = (dir.path() / "f").string();
  CHECK_FALSE(boxlab::sys::lgetxattr(path, "user.boxlab").has_value());
  try {
    boxlab::sys::lsetxattr(path, "user.boxlab", "y");
  } catch (const boxlab::Error& e) {
    WARN("user xattrs not supported on this file system: " << e.what());
    return;
  }
  CHECK(boxlab::sys::lgetxattr(path, "user.boxlab") == std::optional<std::string>("y"));
}
