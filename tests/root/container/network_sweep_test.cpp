// What a killed monitor leaves of a container's network (its address, its port rules, its name
// in its peers' /etc/hosts) is swept by the next command, as the labs call sweep_networks when
// they start.
#include <signal.h>

#include <chrono>
#include <thread>

#include "boxlab/container/gc.hpp"
#include "boxlab/container/lifecycle.hpp"
#include "boxlab/container/networking.hpp"
#include "boxlab/net/ipam.hpp"
#include "boxlab/net/nat.hpp"
#include "boxlab/net/network_store.hpp"
#include "boxlab/net/veth.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "root/image_world.hpp"
#include "root/no_leaks.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;
namespace net = boxlab::net;
using namespace std::chrono_literals;

namespace {

bool has_rules_of(const std::string& owner) {
  net::NatTable nat;
  if (!nat.exists()) return false;
  for (const auto& rule : nat.rules())
    if (rule.owner == owner) return true;
  return false;
}

}  // namespace

TEST_CASE_METHOD(test::NoLeaks, "the next command sweeps the address and port rules and hosts lines a killed monitor left",
                 "[root][net][lifecycle]") {
  test::ImageWorld world;
  const container::NetworkPaths& paths = world.containers.paths.network;
  net::Network network = container::create_network(paths, "swept", "", {});
  container::CreateOptions options;
  options.request.command = {"/bin/sleep", "60"};
  options.network.mode = "swept";
  options.name = "peer";
  auto peer = container::create_container(world.containers, world.busybox, "busybox", world.layers, options);
  container::start_monitor(world.containers.store, peer.config.id, world.containers.paths);
  options.name = "victim";
  options.network.publish = {"127.0.0.1::80"};
  auto c = container::create_container(world.containers, world.busybox, "busybox", world.layers, options);
  container::start_monitor(world.containers.store, c.config.id, world.containers.paths);
  std::string peer_hosts = world.containers.store.find("peer").dir + "/hosts";
  REQUIRE(boxlab::sys::read_file(peer_hosts).find("victim") != std::string::npos);
  auto running = world.containers.store.find(c.config.id);
  net::Ipam ipam(net::NetworkStore(paths.networks).ipam_dir(), network.subnet);
  REQUIRE(has_rules_of(c.config.id));
  REQUIRE(ipam.address_of(c.config.id).has_value());

  // The monitor dies without a word (SIGKILL), then the container: nobody runs the destructors.
  ::kill(running.state.monitor_pid, SIGKILL);
  ::kill(running.state.pid, SIGKILL);
  for (int i = 0; i < 200 && (running.monitor_alive() || running.process_alive()); ++i) std::this_thread::sleep_for(10ms);
  CHECK(has_rules_of(c.config.id));  // left behind, until...

  container::collect_garbage(world.containers.paths.records);  // what every lab does when it starts
  container::sweep_networks(paths);
  CHECK_FALSE(has_rules_of(c.config.id));
  CHECK_FALSE(ipam.address_of(c.config.id).has_value());
  CHECK_FALSE(boxlab::sys::exists("/sys/class/net/" + net::veth_names(c.config.id).host));
  CHECK(world.containers.store.find(c.config.id).state.endpoint.ip_address.empty());
  CHECK(boxlab::sys::read_file(peer_hosts).find("victim") == std::string::npos);  // its name no longer resolves

  container::remove_container(world.containers, c.config.id, true);
  container::remove_container(world.containers, "peer", true);
  container::remove_network(paths, "swept");
}
