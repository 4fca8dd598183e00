// A container's volumes: attached at create (image VOLUMEs, -v, --mount; undone on failure),
// recorded for inspect and in-use checks, released by rm -v for anonymous ones only.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "boxlab/container/container_volumes.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;
namespace stdfs = std::filesystem;

namespace {

container::ContainerConfig new_config(const std::string& name) {
  container::ContainerConfig c;
  c.id = container::new_container_id();
  c.name = name;
  c.image = "busybox";
  c.created = "2026-01-01T00:00:00Z";
  c.spec = container::default_spec({"sh"});
  return c;
}

std::vector<std::string> names_of(const container::VolumeStore& volumes) {
  std::vector<std::string> names;
  for (const auto& v : volumes.list()) names.push_back(v.name);
  return names;
}

}  // namespace

TEST_CASE("attach_mounts: -v, --mount and the image's VOLUMEs become spec mounts after the defaults", "[volume]") {
  test::TempDir dir;
  container::VolumeStore volumes((dir.path() / "volumes").string());
  stdfs::create_directories(dir.path() / "host");
  auto config = new_config("web");
  size_t defaults = config.spec.mounts.size();
  std::vector<container::MountRequest> requests{container::parse_volume_flag("data:/data"),
                                                container::parse_volume_flag((dir.path() / "host").string() + ":/srv:ro"),
                                                container::parse_mount_flag("type=tmpfs,dst=/scratch")};
  auto made = container::attach_mounts(config, requests, {"/seed", "/data"}, volumes);

  REQUIRE(config.mounts.size() == 4);  // /data from -v wins over the image's /data
  REQUIRE(config.spec.mounts.size() == defaults + 4);
  CHECK(made.size() == 2);  // data, and the anonymous volume for /seed
  CHECK(volumes.exists("data"));
  auto seed = std::find_if(config.mounts.begin(), config.mounts.end(), [](auto& p) { return p.destination == "/seed"; });
  REQUIRE(seed != config.mounts.end());
  CHECK(seed->type == "volume");
  CHECK(seed->name.size() == 64);
  CHECK(volumes.find(seed->name).anonymous());
  CHECK(config.copy_up == std::vector<std::string>{"/data", "/seed"});
  auto srv = std::find_if(config.mounts.begin(), config.mounts.end(), [](auto& p) { return p.destination == "/srv"; });
  REQUIRE(srv != config.mounts.end());
  CHECK(srv->type == "bind");
  CHECK_FALSE(srv->rw);
  auto srv_mount = std::find_if(config.spec.mounts.begin() + static_cast<long>(defaults), config.spec.mounts.end(),
                                [](auto& m) { return m.destination == "/srv"; });
  REQUIRE(srv_mount != config.spec.mounts.end());
  CHECK(std::find(srv_mount->options.begin(), srv_mount->options.end(), "ro") != srv_mount->options.end());
}

TEST_CASE("attach_mounts: a bad mount after a good one leaves no volume behind", "[volume]") {
  test::TempDir dir;
  container::VolumeStore volumes((dir.path() / "volumes").string());
  volumes.create("kept");
  auto config = new_config("web");
  std::vector<container::MountRequest> requests{
      container::parse_volume_flag("fresh:/a"), container::parse_volume_flag("kept:/k"),
      container::parse_mount_flag("type=bind,src=" + (dir.path() / "missing").string() + ",dst=/b")};
  CHECK_THROWS_WITH(container::attach_mounts(config, requests, {"/seed"}, volumes), test::contains("bind source path does not exist"));
  CHECK(names_of(volumes) == std::vector<std::string>{"kept"});
  CHECK(config.mounts.empty());
  CHECK_FALSE(stdfs::exists(dir.path() / "missing"));
}

TEST_CASE("in use: a volume named by any container's record, running or not", "[volume]") {
  test::TempDir dir;
  container::VolumeStore volumes((dir.path() / "volumes").string());
  container::ContainerStore store((dir.path() / "containers").string());
  auto a = new_config("first"), b = new_config("second");
  container::attach_mounts(a, {container::parse_volume_flag("shared:/s"), container::parse_volume_flag("/anon")}, {}, volumes);
  container::attach_mounts(b, {container::parse_volume_flag("shared:/s")}, {}, volumes);
  store.create(a);
  store.create(b);
  auto users = container::containers_using_volume(store, "shared");
  std::sort(users.begin(), users.end());
  std::vector<std::string> expected{a.id, b.id};
  std::sort(expected.begin(), expected.end());
  CHECK(users == expected);
  CHECK(container::volumes_in_use(store).size() == 2);
  CHECK_THROWS_WITH(volumes.remove("shared", container::containers_using_volume(store, "shared")), test::contains("volume is in use"));
}

TEST_CASE("remove_anonymous_volumes: rm -v takes the anonymous ones nobody else uses, never a named one", "[volume]") {
  test::TempDir dir;
  container::VolumeStore volumes((dir.path() / "volumes").string());
  container::ContainerStore store((dir.path() / "containers").string());
  auto a = new_config("first"), b = new_config("second");
  container::attach_mounts(a, {container::parse_volume_flag("named:/n"), container::parse_volume_flag("/anon")}, {}, volumes);
  std::string anonymous = a.mounts[1].name;
  // b shares a's anonymous volume by name (as `-v <hex>:/x` would)
  container::attach_mounts(b, {container::parse_volume_flag(anonymous + ":/x")}, {}, volumes);
  store.create(a);
  store.create(b);

  container::remove_anonymous_volumes(store, volumes, a);  // b still uses it
  CHECK(volumes.exists(anonymous));
  store.remove(b.id);
  store.remove(a.id);
  container::remove_anonymous_volumes(store, volumes, a);
  CHECK_FALSE(volumes.exists(anonymous));
  CHECK(volumes.exists("named"));
}
