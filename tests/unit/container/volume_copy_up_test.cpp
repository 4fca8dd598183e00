// Copy-up: an empty volume takes the image's files at its mount point, confined to the rootfs.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "boxlab/container/volume_copy_up.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;
namespace stdfs = std::filesystem;

namespace {

struct stat lstat_of(const stdfs::path& path) {
  struct stat st {};
  REQUIRE(lstat(path.c_str(), &st) == 0);
  return st;
}

// A rootfs with /data to copy, an empty volume, and a host file the rootfs must not reach.
struct Fixture {
  test::TempDir dir;
  stdfs::path rootfs = dir.path() / "rootfs";
  stdfs::path volume = dir.path() / "volume" / "_data";
  stdfs::path secret = dir.path() / "host-secret";
  Fixture() {
    stdfs::create_directories(rootfs / "data");
    stdfs::create_directories(volume);
    test::write_text(secret, "host only");
  }
  bool populate(const std::string& path = "/data") { return container::populate_from_image(volume, rootfs, path); }
};

}  // namespace

TEST_CASE("copy-up copies files, directories, modes, times and hardlinks into an empty volume", "[volume][copyup]") {
  Fixture f;
  stdfs::create_directories(f.rootfs / "data" / "conf.d" / "deep");
  test::write_text(f.rootfs / "data" / "app.conf", "listen 80\n");
  test::write_text(f.rootfs / "data" / "conf.d" / "deep" / "x", "deep");
  test::write_text(f.rootfs / "data" / "run.sh", "#!/bin/sh\n");
  stdfs::permissions(f.rootfs / "data" / "run.sh", stdfs::perms(0755));
  stdfs::permissions(f.rootfs / "data" / "conf.d", stdfs::perms(0500));
  stdfs::permissions(f.rootfs / "data", stdfs::perms(01777));
  stdfs::create_hard_link(f.rootfs / "data" / "app.conf", f.rootfs / "data" / "same.conf");
  timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
  REQUIRE(utimensat(AT_FDCWD, (f.rootfs / "data" / "app.conf").c_str(), old, AT_SYMLINK_NOFOLLOW) == 0);

  CHECK(f.populate());
  CHECK(test::slurp(f.volume / "app.conf") == "listen 80\n");
  CHECK(test::slurp(f.volume / "conf.d" / "deep" / "x") == "deep");
  CHECK((lstat_of(f.volume / "run.sh").st_mode & 07777) == 0755);
  CHECK((lstat_of(f.volume / "conf.d").st_mode & 07777) == 0500);
  CHECK((lstat_of(f.volume).st_mode & 07777) == 01777);  // the volume's root takes the image directory's mode
  CHECK(lstat_of(f.volume / "app.conf").st_mtim.tv_sec == 1000000000);
  CHECK(lstat_of(f.volume / "app.conf").st_ino == lstat_of(f.volume / "same.conf").st_ino);
  CHECK(lstat_of(f.volume / "app.conf").st_ino != lstat_of(f.rootfs / "data" / "app.conf").st_ino);  // a copy, not a link
  stdfs::permissions(f.rootfs / "data" / "conf.d", stdfs::perms(0755));
  stdfs::permissions(f.volume / "conf.d", stdfs::perms(0755));
}

TEST_CASE("copy-up keeps a symlink out of the rootfs as a link and never copies the host's file", "[volume][copyup]") {
  Fixture f;
  stdfs::create_symlink(f.secret, f.rootfs / "data" / "absolute");
  stdfs::create_symlink("../../host-secret", f.rootfs / "data" / "relative");
  stdfs::create_directory_symlink(f.dir.path(), f.rootfs / "data" / "hostdir");
  CHECK(f.populate());
  for (const char* name : {"absolute", "relative", "hostdir"}) {
    INFO(name);
    CHECK(stdfs::is_symlink(f.volume / name));
  }
  CHECK(stdfs::read_symlink(f.volume / "absolute") == f.secret);
  CHECK(stdfs::read_symlink(f.volume / "relative") == "../../host-secret");
  // Nothing in the volume is a regular file with the host's content.
  for (auto it = stdfs::recursive_directory_iterator(f.volume); it != stdfs::recursive_directory_iterator(); ++it)
    CHECK_FALSE((stdfs::is_regular_file(stdfs::symlink_status(it->path())) && test::slurp(it->path()) == "host only"));
  CHECK(std::distance(stdfs::directory_iterator(f.volume), stdfs::directory_iterator()) == 3);
}

TEST_CASE("copy-up resolves a symlinked mount point inside the rootfs, never on the host", "[volume][copyup]") {
  Fixture f;
  stdfs::create_directories(f.dir.path() / "hostdata");
  test::write_text(f.dir.path() / "hostdata" / "secret", "host only");
  stdfs::create_directory_symlink(f.dir.path() / "hostdata", f.rootfs / "absolute");  // /abs/path: taken inside the root
  stdfs::create_directory_symlink("../../hostdata", f.rootfs / "dotdot");            // ".." stops at the root
  CHECK_FALSE(f.populate("/absolute"));  // rootfs/<tmp>/hostdata does not exist
  CHECK_FALSE(f.populate("/dotdot"));    // rootfs/hostdata does not exist
  CHECK_FALSE(f.populate("/../hostdata"));
  CHECK(stdfs::is_empty(f.volume));

  stdfs::create_directories(f.rootfs / "hostdata");
  test::write_text(f.rootfs / "hostdata" / "inside", "image");
  CHECK(f.populate("/dotdot"));
  CHECK(test::slurp(f.volume / "inside") == "image");
  CHECK_FALSE(stdfs::exists(f.volume / "secret"));
}

TEST_CASE("copy-up leaves a volume that already holds data alone", "[volume][copyup]") {
  Fixture f;
  test::write_text(f.rootfs / "data" / "from-image", "image");
  test::write_text(f.volume / "mine", "kept");
  CHECK_FALSE(f.populate());
  CHECK_FALSE(stdfs::exists(f.volume / "from-image"));
  CHECK(test::slurp(f.volume / "mine") == "kept");
}

TEST_CASE("copy-up of a path the image lacks copies nothing; over a file it is Docker's error", "[volume][copyup]") {
  Fixture f;
  CHECK_FALSE(f.populate("/missing"));
  test::write_text(f.rootfs / "file", "x");
  CHECK_FALSE(f.populate("/file/below"));  // a parent is a file: nothing there either
  CHECK_THROWS_WITH(f.populate("/file"), test::contains("cannot mount volume over existing file, file exists /file"));
  stdfs::create_symlink("file", f.rootfs / "link-to-file");
  CHECK_THROWS_WITH(f.populate("/link-to-file"), test::contains("cannot mount volume over existing file"));
  CHECK(stdfs::is_empty(f.volume));
}

TEST_CASE("copy-up copies FIFOs and, as root, owners; sockets are skipped", "[volume][copyup]") {
  Fixture f;
  REQUIRE(mkfifo((f.rootfs / "data" / "pipe").c_str(), 0600) == 0);
  REQUIRE(chmod((f.rootfs / "data" / "pipe").c_str(), 0620) == 0);  // past the umask
  test::write_text(f.rootfs / "data" / "owned", "x");
  bool root = geteuid() == 0;
  if (root) REQUIRE(lchown((f.rootfs / "data" / "owned").c_str(), 1234, 5678) == 0);
  int sock = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::string sock_path = (f.rootfs / "data" / "sock").string();
  REQUIRE(sock_path.size() < sizeof address.sun_path);
  sock_path.copy(address.sun_path, sock_path.size());
  REQUIRE(bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  close(sock);
  CHECK(f.populate());
  CHECK_FALSE(stdfs::exists(stdfs::symlink_status(f.volume / "sock")));
  CHECK(S_ISFIFO(lstat_of(f.volume / "pipe").st_mode));
  CHECK((lstat_of(f.volume / "pipe").st_mode & 07777) == 0620);
  if (root) {
    CHECK(lstat_of(f.volume / "owned").st_uid == 1234);
    CHECK(lstat_of(f.volume / "owned").st_gid == 5678);
  }
}

TEST_CASE("copy-up of an empty image directory copies only its mode", "[volume][copyup]") {
  Fixture f;
  stdfs::permissions(f.rootfs / "data", stdfs::perms(0700));
  CHECK(f.populate());
  CHECK(stdfs::is_empty(f.volume));
  CHECK((lstat_of(f.volume).st_mode & 07777) == 0700);
}
