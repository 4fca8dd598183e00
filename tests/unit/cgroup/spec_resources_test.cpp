// linux.resources in config.json: Docker's flags spelled as runtime-spec config-linux.md spells
// them (memory.limit/swap/reservation, cpu.quota/period/shares/cpus, pids.limit,
// blockIO.throttle{Read,Write}BpsDevice), so that runc reads what a lab writes, and back.
#include <nlohmann/json.hpp>

#include "boxlab/container/spec.hpp"
#include "catch.hpp"

namespace container = boxlab::container;
namespace cgroup = boxlab::cgroup;
using nlohmann::json;

namespace {

constexpr int64_t kMiB = 1024 * 1024;

cgroup::Limits all_limits() {
  cgroup::Limits l;
  l.memory = 64 * kMiB;
  l.memory_swap = 128 * kMiB;
  l.memory_reservation = 32 * kMiB;
  l.cpus = 0.5;
  l.cpu_shares = 512;
  l.cpuset_cpus = "0-1";
  l.pids = 100;
  l.device_read_bps = {{8, 0, 1048576}};
  l.device_write_bps = {{8, 16, 2097152}, {254, 0, 4096}};
  return l;
}

void check_same(const cgroup::Limits& a, const cgroup::Limits& b) {
  CHECK(a.memory == b.memory);
  CHECK(a.memory_swap == b.memory_swap);
  CHECK(a.memory_reservation == b.memory_reservation);
  CHECK(a.cpus == b.cpus);
  CHECK(a.cpu_shares == b.cpu_shares);
  CHECK(a.cpuset_cpus == b.cpuset_cpus);
  CHECK(a.pids == b.pids);
  REQUIRE(a.device_read_bps.size() == b.device_read_bps.size());
  REQUIRE(a.device_write_bps.size() == b.device_write_bps.size());
  for (size_t i = 0; i < a.device_read_bps.size(); ++i) {
    CHECK(a.device_read_bps[i].major == b.device_read_bps[i].major);
    CHECK(a.device_read_bps[i].minor == b.device_read_bps[i].minor);
    CHECK(a.device_read_bps[i].bytes_per_second == b.device_read_bps[i].bytes_per_second);
  }
  for (size_t i = 0; i < a.device_write_bps.size(); ++i) {
    CHECK(a.device_write_bps[i].major == b.device_write_bps[i].major);
    CHECK(a.device_write_bps[i].minor == b.device_write_bps[i].minor);
    CHECK(a.device_write_bps[i].bytes_per_second == b.device_write_bps[i].bytes_per_second);
  }
}

}  // namespace

TEST_CASE("linux.resources uses the OCI names and the kernel's units", "[cgroup][spec]") {
  auto spec = container::default_spec({"sh"});
  container::add_cgroup_defaults(spec, "c0ffee", all_limits());
  json j = json::parse(container::to_json(spec));
  CHECK(j["linux"]["cgroupsPath"] == "c0ffee");
  const json& r = j["linux"]["resources"];
  CHECK(r["memory"]["limit"] == 67108864);
  CHECK(r["memory"]["swap"] == 134217728);  // memory plus swap, as Docker's --memory-swap
  CHECK(r["memory"]["reservation"] == 33554432);
  CHECK(r["cpu"]["quota"] == 50000);
  CHECK(r["cpu"]["period"] == 100000);
  CHECK(r["cpu"]["shares"] == 512);
  CHECK(r["cpu"]["cpus"] == "0-1");
  CHECK(r["pids"]["limit"] == 100);
  CHECK(r["blockIO"]["throttleReadBpsDevice"] == json::parse(R"([{"major":8,"minor":0,"rate":1048576}])"));
  CHECK(r["blockIO"]["throttleWriteBpsDevice"][1] == json::parse(R"({"major":254,"minor":0,"rate":4096})"));
}

TEST_CASE("linux.resources survives config.json and back", "[cgroup][spec]") {
  auto spec = container::default_spec({"sh"});
  container::add_cgroup_defaults(spec, "c0ffee", all_limits());
  auto back = container::from_json(container::to_json(spec));
  CHECK(back.linux.cgroups_path == "c0ffee");
  check_same(back.linux.resources, spec.linux.resources);

  cgroup::Limits unlimited;
  unlimited.memory = 64 * kMiB;
  unlimited.memory_swap = -1;
  unlimited.pids = -1;
  unlimited.cpus = 1.5;
  spec.linux.resources = unlimited;
  back = container::from_json(container::to_json(spec));
  check_same(back.linux.resources, unlimited);
}

TEST_CASE("no limits: an empty resources object, read back as no limits", "[cgroup][spec]") {
  auto spec = container::default_spec({"sh"});
  json j = json::parse(container::to_json(spec));
  CHECK(j["linux"]["resources"] == json::object());
  CHECK(j["linux"]["cgroupsPath"] == "");
  auto back = container::from_json(container::to_json(spec));
  CHECK(back.linux.resources.empty());
  CHECK(back.linux.cgroups_path.empty());
}

TEST_CASE("add_cgroup_defaults mounts the cgroup tree read-only only with a rootfs", "[cgroup][spec]") {
  auto spec = container::default_spec({"sh"});
  container::add_cgroup_defaults(spec, "id", {});
  CHECK(spec.mounts.empty());
  spec = container::default_spec({"sh"});
  spec.root.path = "/tmp/rootfs";
  container::add_rootfs_defaults(spec);
  container::add_cgroup_defaults(spec, "id", {});
  REQUIRE_FALSE(spec.mounts.empty());
  CHECK(spec.mounts.back().destination == "/sys/fs/cgroup");
  CHECK(spec.mounts.back().type == "cgroup");
  CHECK(std::find(spec.mounts.back().options.begin(), spec.mounts.back().options.end(), "ro") !=
        spec.mounts.back().options.end());
}

TEST_CASE("a config.json written by runc's tools reads as Docker's limits", "[cgroup][spec]") {
  // As `docker run --memory 64m --cpus 1.5 --pids-limit 50` hands it to runc (quota -1: none).
  auto spec = container::from_json(R"({"ociVersion":"1.1.0","process":{"args":["sh"]},
      "linux":{"cgroupsPath":"system.slice:docker:abc","resources":{
        "memory":{"limit":67108864,"swap":134217728},
        "cpu":{"quota":150000,"period":100000},
        "pids":{"limit":50},"devices":[{"allow":false,"access":"rwm"}]}}})");
  const auto& l = spec.linux.resources;
  CHECK(l.memory == 64 * kMiB);
  CHECK(l.memory_swap == 128 * kMiB);
  CHECK(l.cpus == 1.5);
  CHECK(l.pids == 50);
  auto unlimited_cpu = container::from_json(R"({"ociVersion":"1.1.0","process":{"args":["sh"]},
      "linux":{"resources":{"cpu":{"quota":-1,"period":100000}}}})");
  CHECK_FALSE(unlimited_cpu.linux.resources.cpus.has_value());
}
