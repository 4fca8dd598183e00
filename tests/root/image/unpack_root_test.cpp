// Root tests of layer unpacking: owners and modes from the tar are applied (chown needs root),
// device nodes are created only when allowed, and hostile layers aimed at the real /etc stay
// refused even for root, who could otherwise write anywhere.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <filesystem>
#include <fstream>

#include "boxlab/image/unpack.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "test_support.hpp"
#include "unit/image/tar_builder.hpp"

namespace image = boxlab::image;
namespace stdfs = std::filesystem;
using T = test::TarBuilder;

namespace {

struct stat lstat_of(const stdfs::path& p) { return boxlab::sys::lstat(p); }

bool empty_dir(const stdfs::path& dir) { return stdfs::directory_iterator(dir) == stdfs::directory_iterator(); }

}  // namespace

TEST_CASE("root: owners, setuid bits and allowed device nodes are unpacked", "[image][unpack][root]") {
  test::TempDir dir;
  {
    T t(dir.path() / "layer.tar");
    t.owned("home/user/file", "mine", 1234, 5678).dir("home/user", 0750);
    t.file("bin/su", "su", 04755).node("dev/null", AE_IFCHR, makedev(1, 3)).node("run/pipe", AE_IFIFO);
    t.close();
  }
  image::UnpackOptions allow;
  allow.allow_devices = true;
  auto result = image::unpack_layer(dir.path() / "layer.tar", dir.path() / "layers", std::nullopt, allow);
  auto file = lstat_of(result.dir / "home/user/file");
  CHECK(file.st_uid == 1234);
  CHECK(file.st_gid == 5678);
  CHECK((file.st_mode & 07777) == 0640);
  CHECK((lstat_of(result.dir / "home/user").st_mode & 07777) == 0750);
  CHECK((lstat_of(result.dir / "bin/su").st_mode & 07777) == 04755);  // chown before chmod keeps setuid
  auto null = lstat_of(result.dir / "dev/null");
  CHECK(S_ISCHR(null.st_mode));
  CHECK(null.st_rdev == makedev(1, 3));
  CHECK(S_ISFIFO(lstat_of(result.dir / "run/pipe").st_mode));

  {
    T t(dir.path() / "dev.tar");
    t.node("sda", AE_IFBLK, makedev(8, 0));
    t.close();
  }
  CHECK_THROWS_WITH(image::unpack_layer(dir.path() / "dev.tar", dir.path() / "strict"), test::contains("device node refused"));
  CHECK(empty_dir(dir.path() / "strict"));
}

TEST_CASE("root: layers aimed at the host's /etc are refused and /etc is untouched", "[image][unpack][root][hostile]") {
  test::TempDir dir;
  auto passwd_before = lstat_of("/etc/passwd");
  std::string passwd_text = boxlab::sys::read_file("/etc/passwd");
  auto layers = dir.path() / "layers";
  auto refused = [&](const std::string& name, auto&& fill, const std::string& why, image::UnpackOptions options = {}) {
    {
      T t(dir.path() / name);
      fill(t);
      t.close();
    }
    INFO(name);
    CHECK_THROWS_WITH(image::unpack_layer(dir.path() / name, layers, std::nullopt, options), test::contains(why));
    CHECK(empty_dir(layers));
  };
  refused("etc-link.tar", [](T& t) { t.symlink("etc", "/etc").file("etc/boxlab-pwned", "x"); }, "'etc' is a symlink");
  refused("hardlink.tar", [](T& t) { t.hardlink("passwd", "/etc/passwd"); }, "absolute name");
  refused("hardlink-via-link.tar", [](T& t) { t.symlink("e", "/etc").hardlink("passwd", "e/passwd"); }, "symlink");
  image::UnpackOptions follow;
  follow.through_symlinks = true;
  // Followed, "/etc" means the layer's own etc, which does not exist: refused by the kernel.
  refused("hardlink-followed.tar", [](T& t) { t.symlink("e", "/etc").hardlink("passwd", "e/passwd"); },
          "openat2 e", follow);
  refused("dotdot-followed.tar", [](T& t) { t.symlink("up", "../../../../../../etc").hardlink("passwd", "up/passwd"); },
          "openat2 up", follow);
  auto passwd_after = lstat_of("/etc/passwd");
  CHECK(passwd_after.st_nlink == passwd_before.st_nlink);
  CHECK(passwd_after.st_ino == passwd_before.st_ino);
  CHECK(boxlab::sys::read_file("/etc/passwd") == passwd_text);
  CHECK_FALSE(stdfs::exists("/etc/boxlab-pwned"));
}
