// Volumes in real containers: a named volume outlives its containers; an image's VOLUME starts
// with the image's files (copy-up) and goes with `rm -v`; a read-only bind refuses writes; a bind
// target that is a symlink out of the rootfs lands inside it.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "boxlab/container/container_volumes.hpp"
#include "boxlab/container/log_file.hpp"
#include "catch.hpp"
#include "root/image_world.hpp"
#include "root/no_leaks.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;
namespace stdfs = std::filesystem;

namespace {

// Run @p c in the foreground; its exit code, and its output from the log.
std::pair<int, std::string> run(test::ImageWorld& world, const container::Container& c) {
  int code = container::monitor_container(world.containers.store, c.config.id, world.containers.paths);
  return {code, container::format_log(container::read_log(world.containers.store.log_path(c.config.id)), false)};
}

container::VolumeStore volumes_of(const test::ImageWorld& world) { return container::VolumeStore(world.root.volumes()); }

}  // namespace

TEST_CASE_METHOD(test::NoLeaks, "a named volume's data outlives the container that wrote it", "[root][volume]") {
  test::ImageWorld world;
  auto writer = world.create({"/bin/sh", "-c", "echo kept > /data/f"}, "writer", {container::parse_volume_flag("data:/data")});
  CHECK(run(world, writer).first == 0);
  container::remove_container(world.containers, "writer", false, true);  // rm -v: named volumes stay
  REQUIRE(volumes_of(world).exists("data"));
  CHECK(test::slurp(volumes_of(world).find("data").mountpoint + "/f") == "kept\n");
  auto reader = world.create({"/bin/cat", "/data/f"}, "reader", {container::parse_volume_flag("data:/data:ro")});
  CHECK(run(world, reader) == std::pair<int, std::string>{0, "kept\n"});
  CHECK_THROWS_WITH(volumes_of(world).remove("data", container::containers_using_volume(world.containers.store, "data")),
                    test::contains("volume is in use"));
}

TEST_CASE_METHOD(test::NoLeaks, "an image's VOLUME starts with the image's files and goes with rm -v", "[root][volume]") {
  test::ImageWorld world;
  world.busybox.container_config.volumes = {"/etc"};
  auto c = world.create({"/bin/sh", "-c", "grep -c root /etc/passwd && echo mine > /etc/added"});
  auto [code, out] = run(world, c);
  CHECK(code == 0);
  CHECK(out == "1\n");
  auto recorded = world.containers.store.find(c.config.id).config.mounts;
  REQUIRE(recorded.size() == 1);
  std::string name = recorded[0].name;
  CHECK(recorded[0].destination == "/etc");
  CHECK(test::slurp(recorded[0].source + "/added") == "mine\n");
  CHECK(stdfs::exists(recorded[0].source + "/passwd"));  // copied up from the image
  container::remove_container(world.containers, c.config.id, false, true);
  CHECK_FALSE(volumes_of(world).exists(name));
}

TEST_CASE_METHOD(test::NoLeaks, "a read-only bind refuses writes; a writable one shows them on the host", "[root][volume]") {
  test::ImageWorld world;
  test::TempDir host;
  std::ofstream(host.path() / "in") << "from-host\n";
  auto rw = world.create({"/bin/sh", "-c", "cat /mnt/in && echo back > /mnt/out"}, "", {container::parse_volume_flag(host.path().string() + ":/mnt")});
  CHECK(run(world, rw) == std::pair<int, std::string>{0, "from-host\n"});
  CHECK(test::slurp(host.path() / "out") == "back\n");
  auto ro = world.create({"/bin/sh", "-c", "echo changed > /mnt/in"}, "", {container::parse_volume_flag(host.path().string() + ":/mnt:ro")});
  CHECK(run(world, ro).first != 0);
  CHECK(test::slurp(host.path() / "in") == "from-host\n");
}

TEST_CASE_METHOD(test::NoLeaks, "a bind target that is a symlink out of the rootfs is resolved inside it", "[root][volume]") {
  test::ImageWorld world;
  test::TempDir host, outside;
  std::ofstream(host.path() / "in") << "from-host\n";
  // The image's layer gets /escape -> OUTSIDE (an absolute host path), as a hostile image could ship.
  stdfs::create_directory_symlink(outside.path(), stdfs::path(world.layers.back()) / "escape");
  std::string inside = outside.path().string() + "/x/in";
  auto c = world.create({"/bin/cat", inside}, "", {container::parse_volume_flag(host.path().string() + ":/escape/x")});
  CHECK(run(world, c) == std::pair<int, std::string>{0, "from-host\n"});
  CHECK(stdfs::is_empty(outside.path()));  // nothing was made, and nothing mounted, on the host
}
