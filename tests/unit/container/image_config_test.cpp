// docker run's rules for command, environment, working directory and user (image_config.hpp).
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "boxlab/container/image_config.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;
namespace stdfs = std::filesystem;

namespace {

// A rootfs with busybox-like passwd and group files.
struct Rootfs {
  test::TempDir dir;
  Rootfs() {
    stdfs::create_directories(dir.path() / "etc");
    std::ofstream(dir.path() / "etc/passwd") << "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n"
                                             << "www:x:33:33::/var/www:/bin/sh\n";
    std::ofstream(dir.path() / "etc/group") << "root:x:0:\nstaff:x:50:\nnogroup:x:65534:\n";
  }
  std::string path() const { return dir.path().string(); }
};

boxlab::image::ContainerConfig busybox_like() {
  boxlab::image::ContainerConfig config;
  config.env = {"PATH=/bin", "FOO=image"};
  config.cmd = {"sh"};
  return config;
}

}  // namespace

TEST_CASE("the command is Entrypoint + Cmd, with docker's overrides", "[container][image_config]") {
  Rootfs rootfs;
  auto config = busybox_like();
  config.entrypoint = {"/entry", "--flag"};
  container::RunRequest request;
  CHECK(container::process_for_image(config, request, rootfs.path()).args ==
        std::vector<std::string>{"/entry", "--flag", "sh"});
  request.command = {"echo", "hi"};
  CHECK(container::process_for_image(config, request, rootfs.path()).args ==
        std::vector<std::string>{"/entry", "--flag", "echo", "hi"});
  request.command.clear();
  request.entrypoint = "/other";  // drops the image's Cmd too
  CHECK(container::process_for_image(config, request, rootfs.path()).args == std::vector<std::string>{"/other"});
  request.entrypoint = "";
  request.command = {"true"};
  CHECK(container::process_for_image(config, request, rootfs.path()).args == std::vector<std::string>{"true"});
  request.command.clear();
  try {
    container::process_for_image(config, request, rootfs.path());
    FAIL("no command was accepted");
  } catch (const boxlab::Error& e) {
    CHECK(std::string(e.what()) == "No command specified");
    CHECK(e.exit_code() == 125);
  }
}

TEST_CASE("the environment: image, env files, -e; later keys win", "[container][image_config]") {
  Rootfs rootfs;
  std::ofstream(rootfs.dir.path() / "env.list") << "# a comment\n\nFROM_FILE=1\nFOO=file\n";
  ::setenv("BOXLAB_TEST_HOST_VAR", "from-host", 1);
  ::unsetenv("BOXLAB_TEST_UNSET_VAR");
  container::RunRequest request;
  request.env_files = {(rootfs.dir.path() / "env.list").string()};
  request.env = {"FOO=flag", "BOXLAB_TEST_HOST_VAR", "BOXLAB_TEST_UNSET_VAR"};
  request.hostname = "box";
  request.terminal = true;
  auto env = container::process_for_image(busybox_like(), request, rootfs.path()).env;
  CHECK(env == std::vector<std::string>{"PATH=/bin", "FOO=flag", "HOSTNAME=box", "TERM=xterm", "FROM_FILE=1",
                                        "BOXLAB_TEST_HOST_VAR=from-host"});
  request = {};
  auto no_path = busybox_like();
  no_path.env = {};
  CHECK(container::process_for_image(no_path, request, rootfs.path()).env.front().starts_with("PATH=/usr/local/sbin"));
  request.env = {"=bad"};
  CHECK_THROWS_WITH(container::process_for_image(busybox_like(), request, rootfs.path()),
                    "invalid environment variable: =bad");
  request.env = {};
  request.env_files = {"/nonexistent/env.list"};
  CHECK_THROWS_WITH(container::process_for_image(busybox_like(), request, rootfs.path()),
                    Catch::Contains("/nonexistent/env.list"));
}

TEST_CASE("working directory and user", "[container][image_config]") {
  Rootfs rootfs;
  auto config = busybox_like();
  config.working_dir = "/srv";
  config.user = "www";
  container::RunRequest request;
  auto process = container::process_for_image(config, request, rootfs.path());
  CHECK(process.cwd == "/srv");
  CHECK(process.uid == 33);
  CHECK(process.gid == 33);
  request.workdir = "/tmp";
  request.user = "nobody:staff";
  process = container::process_for_image(config, request, rootfs.path());
  CHECK(process.cwd == "/tmp");
  CHECK(process.uid == 65534);
  CHECK(process.gid == 50);
  request.workdir = "relative";
  CHECK_THROWS_WITH(container::process_for_image(config, request, rootfs.path()), Catch::Contains("absolute path"));
}

TEST_CASE("resolve_user looks in the container's files, not the host's", "[container][image_config]") {
  Rootfs rootfs;
  CHECK(container::resolve_user(rootfs.path(), "").uid == 0);
  CHECK(container::resolve_user(rootfs.path(), "1234").uid == 1234);
  CHECK(container::resolve_user(rootfs.path(), "1234").gid == 0);
  CHECK(container::resolve_user(rootfs.path(), "1234:99").gid == 99);
  CHECK(container::resolve_user(rootfs.path(), "0:nogroup").gid == 65534);
  CHECK_THROWS_WITH(container::resolve_user(rootfs.path(), "daemon"),
                    "unable to find user daemon: no matching entries in passwd file");
  CHECK_THROWS_WITH(container::resolve_user(rootfs.path(), "root:wheel"), Catch::Contains("unable to find group wheel"));
  // An absolute symlink is resolved inside the rootfs, never on the host.
  std::ofstream(rootfs.dir.path() / "etc/real-passwd") << "root:x:7:7::/:/bin/sh\n";
  stdfs::remove(rootfs.dir.path() / "etc/passwd");
  stdfs::create_symlink("/etc/real-passwd", rootfs.dir.path() / "etc/passwd");
  CHECK(container::resolve_user(rootfs.path(), "root").uid == 7);
  stdfs::remove(rootfs.dir.path() / "etc/real-passwd");  // now it dangles: no host file is read instead
  CHECK_THROWS_WITH(container::resolve_user(rootfs.path(), "root"), Catch::Contains("unable to find user root"));
}
