// -v and --mount: every form Docker takes, its errors word for word, and what each resolves to.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "boxlab/container/mount_flags.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;
namespace stdfs = std::filesystem;
using Options = std::vector<std::string>;

namespace {

template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const boxlab::Error& e) {
    CHECK(e.exit_code() == 125);
    return e.what();
  }
  return "(nothing thrown)";
}

std::string v_error(const std::string& text) {
  return error_of([&] { container::parse_volume_flag(text); });
}

std::string mount_error(const std::string& text) {
  return error_of([&] { container::parse_mount_flag(text); });
}

std::string cli(const std::string& text, const std::string& why) {
  return "invalid argument \"" + text + "\" for \"--mount\" flag: " + why;
}

}  // namespace

TEST_CASE("-v /host:/ctr is a read-write bind mount whose missing source -v may create", "[volume][mount]") {
  auto r = container::parse_volume_flag("/srv/site/:/www/");
  CHECK(r.type == "bind");
  CHECK(r.source == "/srv/site");
  CHECK(r.target == "/www");
  CHECK_FALSE(r.read_only);
  CHECK(r.create_host_dir);
  CHECK_FALSE(r.config_volume);
  CHECK(r.mode.empty());
  CHECK(r.propagation.empty());
}

TEST_CASE("-v /host:/ctr:ro and its other options: rw, z, Z, propagation, consistency", "[volume][mount]") {
  auto ro = container::parse_volume_flag("/srv:/www:ro");
  CHECK(ro.read_only);
  CHECK(ro.mode == "ro");
  CHECK_FALSE(container::parse_volume_flag("/srv:/www:rw").read_only);
  auto many = container::parse_volume_flag("/srv:/www:ro,Z,rshared,cached");
  CHECK(many.read_only);
  CHECK(many.propagation == "rshared");
  CHECK(many.mode == "ro,Z,rshared,cached");
  CHECK(container::parse_volume_flag("/srv:/www:z").mode == "z");
}

TEST_CASE("-v name:/ctr is a named volume, shown with Docker's Mode \"z\"", "[volume][mount]") {
  auto r = container::parse_volume_flag("data:/var/lib/data");
  CHECK(r.type == "volume");
  CHECK(r.source == "data");
  CHECK(r.target == "/var/lib/data");
  CHECK(r.mode == "z");
  CHECK_FALSE(r.create_host_dir);
  CHECK_FALSE(r.config_volume);
  auto ro = container::parse_volume_flag("data:/data:ro,nocopy");
  CHECK(ro.read_only);
  CHECK(ro.no_copy);
  CHECK(ro.mode == "ro,nocopy");
}

TEST_CASE("-v /ctr alone is an anonymous volume of the config, like an image's VOLUME", "[volume][mount]") {
  auto r = container::parse_volume_flag("/data/./cache/");
  CHECK(r.type == "volume");
  CHECK(r.source.empty());
  CHECK(r.target == "/data/cache");
  CHECK(r.config_volume);
  CHECK(r.mode.empty());
}

TEST_CASE("-v ./dir:/ctr is made absolute against the working directory, as the docker CLI does", "[volume][mount]") {
  auto r = container::parse_volume_flag("./site:/www");
  CHECK(r.type == "bind");
  CHECK(r.source == (stdfs::current_path() / "site").lexically_normal().string());
  CHECK(container::parse_volume_flag(".:/www").source == stdfs::current_path().string());
}

TEST_CASE("-v with the wrong number of fields is an invalid volume specification", "[volume][mount]") {
  for (std::string bad : {"", ":/data", "/a:/b:ro:x", "/data:ro", "/data:rw", "/a:"})
    CHECK(v_error(bad) == "invalid volume specification: '" + bad + "'");
}

TEST_CASE("-v options: unknown, repeated or conflicting ones are Docker's \"invalid mode\"", "[volume][mount]") {
  CHECK(v_error("/a:/b:bogus") == "invalid mode: bogus");
  CHECK(v_error("/a:/b:ro,rw") == "invalid mode: ro,rw");
  CHECK(v_error("/a:/b:z,Z") == "invalid mode: z,Z");
  CHECK(v_error("/a:/b:shared,rslave") == "invalid mode: shared,rslave");
  CHECK(v_error("/a:/b:ro,ro") == "invalid mode: ro,ro");
}

TEST_CASE("-v destinations must be absolute and not /", "[volume][mount]") {
  CHECK(v_error("/a:rel") ==
        "invalid volume specification: '/a:rel': invalid mount config for type \"bind\": invalid mount path: 'rel' "
        "mount path must be absolute");
  CHECK(v_error("/a:/") ==
        "invalid volume specification: '/a:/': invalid mount config for type \"bind\": invalid specification: "
        "destination can't be '/'");
  CHECK(v_error("data:/x/..") ==
        "invalid volume specification: 'data:/x/..': invalid mount config for type \"volume\": invalid specification: "
        "destination can't be '/'");
  CHECK(v_error("data") ==
        "invalid volume specification: 'data': invalid mount config for type \"volume\": invalid mount path: 'data' "
        "mount path must be absolute");
}

TEST_CASE("-v options that do not fit the kind: propagation on a volume, nocopy on a bind", "[volume][mount]") {
  CHECK(v_error("data:/x:rshared") ==
        "invalid volume specification: 'data:/x:rshared': invalid mount config for type \"volume\": field BindOptions "
        "must not be specified");
  CHECK(v_error("/a:/x:nocopy") ==
        "invalid volume specification: '/a:/x:nocopy': invalid mount config for type \"bind\": field VolumeOptions "
        "must not be specified");
}

TEST_CASE("-v with a relative host path is taken as a volume name, and refused as Docker refuses it", "[volume][mount]") {
  CHECK(v_error("site/html:/www") ==
        "create site/html: \"site/html\" includes invalid characters for a local volume name, only "
        "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
  CHECK(v_error("~/x:/www").starts_with("create ~/x: \"~/x\" includes invalid characters"));
  CHECK(v_error("d:/www") == "create d: volume name is too short, names should be at least two alphanumeric characters");
}

TEST_CASE("--mount type=bind with every spelling of its keys", "[volume][mount]") {
  auto r = container::parse_mount_flag("type=bind,source=/srv/,target=/www,readonly");
  CHECK(r.type == "bind");
  CHECK(r.source == "/srv");
  CHECK(r.target == "/www");
  CHECK(r.read_only);
  CHECK_FALSE(r.create_host_dir);
  CHECK(r.mode.empty());
  auto alias = container::parse_mount_flag("TYPE=Bind,src=/srv,dst=/www,ro=false,bind-propagation=RSLAVE");
  CHECK(alias.type == "bind");
  CHECK_FALSE(alias.read_only);
  CHECK(alias.propagation == "rslave");
  CHECK(container::parse_mount_flag("type=bind,src=/a,destination=/b,ro=1").read_only);
  CHECK(container::parse_mount_flag("type=bind,src=/a,dst=/b,bind-nonrecursive").non_recursive);
  CHECK(container::parse_mount_flag("type=bind,src=/a,dst=/b,consistency=cached").target == "/b");
  CHECK(container::parse_mount_flag("type=bind,src=./site,dst=/b").source == (stdfs::current_path() / "site").string());
}

TEST_CASE("--mount defaults to a volume: named, anonymous, nocopy, labels", "[volume][mount]") {
  auto named = container::parse_mount_flag("src=data,dst=/data,volume-nocopy,volume-label=tier=db,volume-driver=local");
  CHECK(named.type == "volume");
  CHECK(named.source == "data");
  CHECK(named.no_copy);
  CHECK(named.labels == std::map<std::string, std::string>{{"tier", "db"}});
  CHECK(named.mode == "z");
  auto anonymous = container::parse_mount_flag("type=volume,dst=/cache");
  CHECK(anonymous.source.empty());
  CHECK_FALSE(anonymous.config_volume);  // an explicit mount: a duplicate destination is an error
  CHECK_FALSE(container::parse_mount_flag("src=data,dst=/d,volume-nocopy=false").no_copy);
}

TEST_CASE("--mount type=tmpfs with a size and a mode", "[volume][mount]") {
  auto r = container::parse_mount_flag("type=tmpfs,dst=/run/cache,tmpfs-size=64m,tmpfs-mode=1770");
  CHECK(r.type == "tmpfs");
  CHECK(r.tmpfs_size == 64ULL << 20);
  CHECK(r.tmpfs_mode == 01770);
  CHECK(container::parse_mount_flag("type=tmpfs,dst=/t,tmpfs-size=1g").tmpfs_size == 1ULL << 30);
  CHECK(container::parse_mount_flag("type=tmpfs,dst=/t,tmpfs-size=4096").tmpfs_size == 4096);
}

TEST_CASE("--mount fields are CSV: a quoted field may hold a comma", "[volume][mount]") {
  auto r = container::parse_mount_flag("type=bind,\"src=/srv/a,b\",dst=/www");
  CHECK(r.source == "/srv/a,b");
  std::string unterminated = "type=bind,\"src=/a,dst=/b";
  CHECK(mount_error(unterminated) == cli(unterminated, "extraneous or missing \" in quoted-field"));
}

TEST_CASE("--mount errors of the docker CLI: keys, values, missing fields, mixed options", "[volume][mount]") {
  std::vector<std::pair<std::string, std::string>> cases{
      {"type=bind,src=/a,dst=/b,colour=red", "unexpected key 'colour' in 'colour=red'"},
      {"type=bind,src=/a,dst=/b,volume-subpath=x", "unexpected key 'volume-subpath' in 'volume-subpath=x'"},
      {"type=bind,src=/a", "target is required"},
      {"type=,dst=/b", "type is required"},
      {"type=bind,src=/a,dst=/b,shiny", "invalid field 'shiny' must be a key=value pair"},
      {"type=bind,src=/a,dst=/b,readonly=maybe", "invalid value for readonly: maybe"},
      {"src=v1,dst=/b,volume-nocopy=2", "invalid value for volume-nocopy: 2"},
      {"type=tmpfs,dst=/t,tmpfs-size=lots", "invalid value for tmpfs-size: lots"},
      {"type=tmpfs,dst=/t,tmpfs-size=-1", "invalid value for tmpfs-size: -1"},
      {"type=tmpfs,dst=/t,tmpfs-mode=999", "invalid value for tmpfs-mode: 999"},
      {"type=tmpfs,dst=/t,tmpfs-mode=", "invalid value for tmpfs-mode: "},
      {"type=bind,src=/a,dst=/b,volume-nocopy", "cannot mix 'volume-*' options with mount type 'bind'"},
      {"type=volume,dst=/b,bind-propagation=shared", "cannot mix 'bind-*' options with mount type 'volume'"},
      {"type=volume,dst=/b,tmpfs-size=1m", "cannot mix 'tmpfs-*' options with mount type 'volume'"},
      {"src=v1,dst=/b,volume-driver=nfs", "error looking up volume plugin nfs: plugin \"nfs\" not found"},
  };
  for (const auto& [text, why] : cases) CHECK(mount_error(text) == cli(text, why));
}

TEST_CASE("--mount errors of the daemon: bind without source, tmpfs with one, unknown type, bad paths", "[volume][mount]") {
  auto daemon = [](const std::string& type, const std::string& why) {
    return "invalid mount config for type \"" + type + "\": " + why;
  };
  CHECK(mount_error("type=bind,dst=/b") == daemon("bind", "field Source must not be empty"));
  CHECK(mount_error("type=tmpfs,src=x,dst=/b") == daemon("tmpfs", "field Source must not be specified"));
  CHECK(mount_error("type=npipe,src=x,dst=/b") == daemon("npipe", "mount type unknown"));
  CHECK(mount_error("type=bind,src=rel,dst=/b") == daemon("bind", "invalid mount path: 'rel' mount path must be absolute"));
  CHECK(mount_error("type=bind,src=/a,dst=b") == daemon("bind", "invalid mount path: 'b' mount path must be absolute"));
  CHECK(mount_error("type=bind,src=/a,dst=/") == daemon("bind", "invalid specification: destination can't be '/'"));
  CHECK(mount_error("type=bind,src=/a,dst=/b,bind-propagation=sideways") == daemon("bind", "invalid propagation mode: sideways"));
  CHECK(mount_error("type=volume,dst=/b,readonly") == daemon("volume", "must not set ReadOnly mode when using anonymous volumes"));
  CHECK(mount_error("src=bad/name,dst=/b").starts_with("create bad/name: \"bad/name\" includes invalid characters"));
}

TEST_CASE("resolving -v /host:/ctr creates a missing host directory, as docker -v does", "[volume][mount]") {
  test::TempDir dir;
  container::VolumeStore store((dir.path() / "volumes").string());
  std::string host = (dir.path() / "made" / "by" / "v").string();
  auto m = container::resolve_mount(container::parse_volume_flag(host + ":/data:ro"), store);
  CHECK(stdfs::is_directory(host));
  CHECK(m.mount.destination == "/data");
  CHECK(m.mount.type == "bind");
  CHECK(m.mount.source == host);
  CHECK(m.mount.options == Options{"rbind", "ro", "rprivate"});
  CHECK_FALSE(m.copy_up);
  CHECK(m.point.type == "bind");
  CHECK(m.point.source == host);
  CHECK_FALSE(m.point.rw);
  CHECK(m.point.propagation == "rprivate");
  CHECK(m.point.mode == "ro");
  CHECK(store.list().empty());
}

TEST_CASE("resolving --mount type=bind refuses a missing source in Docker's words; a file is fine", "[volume][mount]") {
  test::TempDir dir;
  container::VolumeStore store((dir.path() / "volumes").string());
  std::string missing = (dir.path() / "nope").string();
  auto r = container::parse_mount_flag("type=bind,src=" + missing + ",dst=/x");
  CHECK(error_of([&] { container::resolve_mount(r, store); }) ==
        "invalid mount config for type \"bind\": bind source path does not exist: " + missing);
  CHECK_FALSE(stdfs::exists(missing));
  std::ofstream(dir.path() / "file") << "x";
  auto file = container::resolve_mount(
      container::parse_mount_flag("type=bind,src=" + (dir.path() / "file").string() + ",dst=/etc/x,bind-propagation=rshared,bind-nonrecursive"),
      store);
  CHECK(file.mount.options == Options{"bind", "rshared"});
  CHECK(file.point.propagation == "rshared");
}

TEST_CASE("resolving -v name:/ctr creates the named volume once and binds its _data", "[volume][mount]") {
  test::TempDir dir;
  container::VolumeStore store((dir.path() / "volumes").string());
  auto first = container::resolve_mount(container::parse_volume_flag("data:/data"), store);
  auto second = container::resolve_mount(container::parse_volume_flag("data:/other:ro,nocopy"), store);
  REQUIRE(store.list().size() == 1);
  std::string data = store.find("data").mountpoint;
  CHECK(first.mount.source == data);
  CHECK(first.mount.type == "bind");
  CHECK(first.mount.options == Options{"rbind", "rprivate"});
  CHECK(first.copy_up);
  CHECK(second.mount.source == data);
  CHECK(second.mount.options == Options{"rbind", "ro", "rprivate"});
  CHECK_FALSE(second.copy_up);
  CHECK(first.point.type == "volume");
  CHECK(first.point.name == "data");
  CHECK(first.point.driver == "local");
  CHECK(first.point.mode == "z");
  CHECK(first.point.rw);
  CHECK(first.point.propagation.empty());
}

TEST_CASE("resolving an anonymous volume creates one with a random name and the anonymous label", "[volume][mount]") {
  test::TempDir dir;
  container::VolumeStore store((dir.path() / "volumes").string());
  auto m = container::resolve_mount(container::parse_volume_flag("/cache"), store);
  REQUIRE(store.list().size() == 1);
  container::Volume v = store.list().front();
  CHECK(v.anonymous());
  CHECK(m.point.name == v.name);
  CHECK(m.point.mode.empty());
  CHECK(m.mount.source == v.mountpoint);
  CHECK(m.copy_up);
  auto labelled = container::resolve_mount(container::parse_mount_flag("src=tagged,dst=/t,volume-label=a=b"), store);
  CHECK(store.find("tagged").labels == std::map<std::string, std::string>{{"a", "b"}});
}

TEST_CASE("resolving a tmpfs gives Docker's options: noexec,nosuid,nodev, then ro, mode, size", "[volume][mount]") {
  test::TempDir dir;
  container::VolumeStore store((dir.path() / "volumes").string());
  auto m = container::resolve_mount(container::parse_mount_flag("type=tmpfs,dst=/scratch,tmpfs-size=65536k,tmpfs-mode=1770,ro"), store);
  CHECK(m.mount.type == "tmpfs");
  CHECK(m.mount.source == "tmpfs");
  CHECK(m.mount.options == Options{"noexec", "nosuid", "nodev", "rprivate", "ro", "mode=1770", "size=64m"});
  CHECK(m.point.type == "tmpfs");
  CHECK(m.point.source.empty());
  CHECK_FALSE(m.point.rw);
  auto odd = container::resolve_mount(container::parse_mount_flag("type=tmpfs,dst=/s,tmpfs-size=1000"), store);
  CHECK(odd.mount.options == Options{"noexec", "nosuid", "nodev", "rprivate", "size=1000"});
  CHECK(store.list().empty());
}

TEST_CASE("resolve_mounts: two mounts on one destination are Docker's \"Duplicate mount point\"", "[volume][mount]") {
  test::TempDir dir;
  container::VolumeStore store((dir.path() / "volumes").string());
  std::vector<container::MountRequest> requests{container::parse_volume_flag("data:/data"),
                                                container::parse_mount_flag("type=tmpfs,dst=/data/")};
  CHECK(error_of([&] { container::resolve_mounts(requests, store); }) == "Duplicate mount point: /data");
  CHECK(store.list().empty());  // checked before anything is created
}

TEST_CASE("resolve_mounts drops a config volume under another mount and sorts shallow first", "[volume][mount]") {
  test::TempDir dir;
  container::VolumeStore store((dir.path() / "volumes").string());
  std::vector<container::MountRequest> requests{container::parse_volume_flag("/data/cache"),
                                                container::parse_volume_flag("/data"),
                                                container::parse_volume_flag("named:/data"),
                                                container::parse_mount_flag("type=tmpfs,dst=/a/b/c")};
  auto mounts = container::resolve_mounts(requests, store);
  std::vector<std::string> destinations;
  for (const auto& m : mounts) destinations.push_back(m.mount.destination);
  CHECK(destinations == std::vector<std::string>{"/data", "/data/cache", "/a/b/c"});
  CHECK(mounts[0].point.name == "named");
  CHECK(store.list().size() == 2);  // "named" and the anonymous one at /data/cache
}

TEST_CASE("add_image_volumes adds an anonymous volume for each VOLUME no mount covers", "[volume][mount]") {
  std::vector<container::MountRequest> requests{container::parse_volume_flag("db:/var/lib/db")};
  container::add_image_volumes(requests, {"/var/lib/db/", "/logs", "/logs"});
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].target == "/logs");
  CHECK(requests[1].type == "volume");
  CHECK(requests[1].source.empty());
  CHECK(requests[1].config_volume);
  std::vector<container::MountRequest> none;
  CHECK(error_of([&] { container::add_image_volumes(none, {"relative"}); }) ==
        "invalid mount config for type \"volume\": invalid mount path: 'relative' mount path must be absolute");
}

TEST_CASE("image VOLUMEs end as anonymous volumes next to the user's mounts", "[volume][mount]") {
  test::TempDir dir;
  container::VolumeStore store((dir.path() / "volumes").string());
  std::vector<container::MountRequest> requests{container::parse_volume_flag((dir.path() / "site").string() + ":/srv:ro")};
  container::add_image_volumes(requests, {"/data", "/srv"});
  auto mounts = container::resolve_mounts(requests, store);
  REQUIRE(mounts.size() == 2);
  CHECK(mounts[0].point.type == "bind");
  CHECK(mounts[1].point.type == "volume");
  CHECK(mounts[1].point.destination == "/data");
  CHECK(store.find(mounts[1].point.name).anonymous());
}

TEST_CASE("inspect's Mounts: Docker's keys in its order, Name and Driver only for volumes; read back", "[volume][mount]") {
  std::vector<container::MountPoint> points{
      {"volume", "data", "/var/lib/boxlab/volumes/data/_data", "/data", "local", "z", true, ""},
      {"bind", "", "/srv", "/www", "", "ro", false, "rprivate"},
      {"tmpfs", "", "", "/run", "", "", true, ""},
  };
  std::string text = container::mount_points_json(points);
  auto j = nlohmann::ordered_json::parse(text);
  std::vector<std::string> keys;
  for (const auto& item : j[0].items()) keys.push_back(item.key());
  CHECK(keys == std::vector<std::string>{"Type", "Name", "Source", "Destination", "Driver", "Mode", "RW", "Propagation"});
  CHECK_FALSE(j[1].contains("Name"));
  CHECK_FALSE(j[1].contains("Driver"));
  CHECK(j[1]["RW"] == false);
  CHECK(j[1]["Propagation"] == "rprivate");
  auto back = container::mount_points_from_json(text);
  REQUIRE(back.size() == 3);
  CHECK(back[0].name == "data");
  CHECK(back[0].driver == "local");
  CHECK(back[1].source == "/srv");
  CHECK_FALSE(back[1].rw);
  CHECK(back[2].destination == "/run");
  CHECK_THROWS_WITH(container::mount_points_from_json("[{}]"), test::contains("malformed Mounts"));
  CHECK(container::mount_points_json({}) == "[]");
}
