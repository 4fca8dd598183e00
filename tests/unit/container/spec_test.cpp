#include <nlohmann/json.hpp>

#include "boxlab/container/spec.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"

namespace container = boxlab::container;
using boxlab::ns::Kind;

TEST_CASE("the default spec isolates everything but user and time", "[container][spec]") {
  auto spec = container::default_spec({"sh"});
  CHECK(spec.process.args == std::vector<std::string>{"sh"});
  for (Kind k : {Kind::pid, Kind::net, Kind::ipc, Kind::uts, Kind::mnt, Kind::cgroup}) CHECK(spec.creates(k));
  CHECK_FALSE(spec.creates(Kind::user));
  CHECK_FALSE(spec.creates(Kind::time));
  CHECK(spec.process.env.front() == container::kDefaultPath);
}

TEST_CASE("rootfs defaults mount /proc, /dev and a read-only /sys, as runc spec does", "[container][spec]") {
  auto spec = container::default_spec({"sh"});
  container::add_rootfs_defaults(spec);
  REQUIRE(spec.mounts.size() == 6);
  CHECK(spec.mounts[0].destination == "/proc");
  CHECK(spec.mounts[1].destination == "/dev");
  CHECK(spec.mounts[5].destination == "/sys");
  CHECK(std::find(spec.mounts[5].options.begin(), spec.mounts[5].options.end(), "ro") != spec.mounts[5].options.end());
  CHECK_FALSE(spec.linux.masked_paths.empty());
}

TEST_CASE("a spec survives config.json and back", "[container][spec]") {
  auto spec = container::default_spec({"sh", "-c", "echo hi"});
  container::add_rootfs_defaults(spec);
  spec.root = {"/tmp/rootfs", true};
  spec.hostname = "box";
  spec.process.uid = 1000;
  spec.linux.namespaces.push_back({Kind::user, ""});
  spec.linux.namespaces.push_back({Kind::net, "/run/netns/x"});
  spec.linux.uid_mappings = {{0, 100000, 65536}};
  auto back = container::from_json(container::to_json(spec));
  CHECK(back.process.args == spec.process.args);
  CHECK(back.root.path == "/tmp/rootfs");
  CHECK(back.root.readonly);
  CHECK(back.hostname == "box");
  CHECK(back.process.uid == 1000);
  CHECK(back.mounts.size() == spec.mounts.size());
  CHECK(back.mounts[1].options == spec.mounts[1].options);
  CHECK(back.linux.namespaces.size() == spec.linux.namespaces.size());
  CHECK(back.linux.namespaces.back().path == "/run/netns/x");
  CHECK(back.linux.uid_mappings.front().host_id == 100000);
  CHECK(back.linux.masked_paths == spec.linux.masked_paths);
  auto j = nlohmann::json::parse(container::to_json(spec));
  CHECK(j["linux"]["namespaces"][0]["type"] == "pid");
  CHECK(j["mounts"][0]["destination"] == "/proc");
}

TEST_CASE("malformed config.json is refused with the reason", "[container][spec][bad-input]") {
  CHECK_THROWS_AS(container::from_json("{not json"), boxlab::Error);
  CHECK_THROWS_AS(container::from_json(R"({"ociVersion":"1.1.0"})"), boxlab::Error);
  CHECK_THROWS_WITH(container::from_json(R"({"ociVersion":"1.1.0","process":{"args":["sh"]},
                       "linux":{"namespaces":[{"type":"bogus"}]}})"),
                    test::contains("unknown namespace 'bogus'"));
}
