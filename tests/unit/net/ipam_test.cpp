// IPAM against a temporary directory: 1000 addresses without a duplicate, reserved addresses
// never given, lowest-free reuse, persistence across objects, exhaustion of a /30, two
// processes allocating at once, corrupt files named; and picking a subnet Docker's way.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "boxlab/net/ipam.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace net = boxlab::net;

namespace {

net::Ipv4Address ip(const char* text) { return net::Ipv4Address::parse(text); }
net::Subnet cidr(const char* text) { return net::Subnet::parse(text); }

// Allocate @p count addresses for owners "<prefix>0", "<prefix>1", ...; return them as text.
std::vector<std::string> allocate_many(net::Ipam& ipam, const std::string& prefix, int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back(ipam.allocate(prefix + std::to_string(i)).to_string());
  return out;
}

}  // namespace

TEST_CASE("1000 addresses from a /16: all different, in the subnet, none reserved", "[net][ipam]") {
  test::TempDir dir;
  net::Subnet subnet = cidr("172.18.0.0/16");
  net::Ipam ipam(dir.path(), subnet);
  std::set<net::Ipv4Address> seen;
  for (int i = 0; i < 1000; ++i) {
    net::Ipv4Address a = ipam.allocate("c" + std::to_string(i));
    INFO(a.to_string());
    CHECK(subnet.contains(a));
    CHECK(a != subnet.network());
    CHECK(a != subnet.gateway());
    CHECK(a != subnet.broadcast());
    CHECK(seen.insert(a).second);
  }
  CHECK(*seen.begin() == ip("172.18.0.2"));   // the lowest free, after the gateway
  CHECK(*seen.rbegin() == ip("172.18.3.233"));  // host 1001
  CHECK(ipam.allocations().size() == 1000);
  CHECK(ipam.address_of("c999") == ip("172.18.3.233"));
  CHECK_FALSE(ipam.address_of("nobody"));
}

TEST_CASE("a released address is the next one given", "[net][ipam]") {
  test::TempDir dir;
  net::Ipam ipam(dir.path(), cidr("10.5.0.0/24"));
  CHECK(ipam.allocate("a") == ip("10.5.0.2"));
  CHECK(ipam.allocate("b") == ip("10.5.0.3"));
  CHECK(ipam.allocate("c") == ip("10.5.0.4"));
  CHECK(ipam.release("b"));
  CHECK_FALSE(ipam.release("b"));
  CHECK_FALSE(ipam.address_of("b"));
  CHECK(ipam.allocate("d") == ip("10.5.0.3"));
  CHECK(ipam.allocate("e") == ip("10.5.0.5"));
  std::vector<net::Allocation> expected{
      {ip("10.5.0.2"), "a"}, {ip("10.5.0.3"), "d"}, {ip("10.5.0.4"), "c"}, {ip("10.5.0.5"), "e"}};
  CHECK(ipam.allocations() == expected);
  CHECK_THROWS_WITH(ipam.allocate("a"), "ipam: a already has address 10.5.0.2 in 10.5.0.0/24");
  CHECK_THROWS_WITH(ipam.allocate(""), "ipam: an address needs an owner");
}

TEST_CASE("allocations persist: a new object (or process) sees what an old one gave", "[net][ipam]") {
  test::TempDir dir;
  net::Subnet subnet = cidr("172.20.0.0/16");
  {
    net::Ipam first(dir.path(), subnet);
    first.allocate("web");
    first.allocate("db");
  }
  net::Ipam second(dir.path(), subnet);
  CHECK(second.address_of("web") == ip("172.20.0.2"));
  CHECK(second.address_of("db") == ip("172.20.0.3"));
  CHECK(second.allocate("cache") == ip("172.20.0.4"));
  CHECK(second.path() == dir.path() / "172.20.0.0-16.json");
  std::string text = boxlab::sys::read_file(second.path());
  CHECK_THAT(text, test::contains("\"subnet\": \"172.20.0.0/16\""));
  CHECK_THAT(text, test::contains("\"gateway\": \"172.20.0.1\""));
  CHECK_THAT(text, test::contains("\"172.20.0.3\": \"db\""));
  // Another subnet in the same directory is independent.
  net::Ipam other(dir.path(), cidr("172.21.0.0/16"));
  CHECK(other.allocate("web") == ip("172.21.0.2"));
  CHECK(net::release_all_of(dir.path(), "web") == 2);
  CHECK_FALSE(second.address_of("web"));
  CHECK_FALSE(other.address_of("web"));
  CHECK(net::release_all_of(dir.path(), "web") == 0);
  CHECK(net::release_all_of(dir.path() / "missing", "web") == 0);
}

TEST_CASE("a /30 has one address to give; then it is exhausted until one is released", "[net][ipam]") {
  test::TempDir dir;
  net::Ipam ipam(dir.path(), cidr("10.9.0.4/30"));
  CHECK(ipam.allocate("one") == ip("10.9.0.6"));  // .4 network, .5 gateway, .7 broadcast
  CHECK_THROWS_WITH(ipam.allocate("two"), "ipam: subnet 10.9.0.4/30 exhausted: all 1 addresses are in use");
  try {
    ipam.allocate("two");
  } catch (const boxlab::Error& e) {
    CHECK(e.errno_value() == ENOSPC);
  }
  ipam.release("one");
  CHECK(ipam.allocate("two") == ip("10.9.0.6"));
  CHECK_THROWS_WITH(net::Ipam(dir.path(), cidr("10.9.0.8/31")),
                    "ipam: subnet 10.9.0.8/31 is too small: it has no address besides the gateway");
}

TEST_CASE("allocate_specific gives the address asked for, unless reserved, outside or taken", "[net][ipam]") {
  test::TempDir dir;
  net::Ipam ipam(dir.path(), cidr("172.18.0.0/16"));
  CHECK(ipam.allocate_specific("a", ip("172.18.0.5")) == ip("172.18.0.5"));
  CHECK_THROWS_WITH(ipam.allocate_specific("b", ip("172.18.0.5")), "ipam: address 172.18.0.5 is already in use by a");
  CHECK_THROWS_WITH(ipam.allocate_specific("b", ip("172.18.0.1")),
                    "ipam: address 172.18.0.1 is reserved in 172.18.0.0/16 (network, gateway or broadcast)");
  CHECK_THROWS_WITH(ipam.allocate_specific("b", ip("172.18.255.255")), test::contains("is reserved"));
  CHECK_THROWS_WITH(ipam.allocate_specific("b", ip("172.18.0.0")), test::contains("is reserved"));
  CHECK_THROWS_WITH(ipam.allocate_specific("b", ip("172.19.0.5")),
                    "ipam: address 172.19.0.5 is not in subnet 172.18.0.0/16");
  CHECK(ipam.allocate("b") == ip("172.18.0.2"));  // the lowest free still starts after the gateway
}

TEST_CASE("a corrupt or foreign state file is named in the error", "[net][ipam]") {
  test::TempDir dir;
  net::Ipam ipam(dir.path(), cidr("172.18.0.0/16"));
  std::ofstream(ipam.path()) << "{not json";
  CHECK_THROWS_WITH(ipam.allocate("a"), test::contains("ipam: corrupt file " + ipam.path()));
  std::ofstream(ipam.path()) << R"({"subnet": "10.0.0.0/8", "addresses": {}})";
  CHECK_THROWS_WITH(ipam.allocate("a"),
                    "ipam: corrupt file " + ipam.path() + ": it is for subnet 10.0.0.0/8, not 172.18.0.0/16");
  std::ofstream(ipam.path()) << R"({"subnet": "172.18.0.0/16", "addresses": {"172.18.0.300": "x"}})";
  CHECK_THROWS_WITH(ipam.allocate("a"), test::contains("invalid IPv4 address \"172.18.0.300\""));
}

TEST_CASE("two processes allocating at once never get the same address", "[net][ipam]") {
  test::TempDir dir;
  net::Subnet subnet = cidr("172.25.0.0/16");
  const int per_process = 150;
  // Each child allocates for its own owners and writes what it got to a file, one per line.
  auto child = [&](const std::string& name) {
    pid_t pid = ::fork();
    if (pid != 0) return pid;
    int status = 0;
    try {
      net::Ipam ipam(dir.path(), subnet);
      std::ofstream out(dir.path() / (name + ".txt"));
      for (const auto& a : allocate_many(ipam, name, per_process)) out << a << "\n";
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child %s: %s\n", name.c_str(), e.what());
      status = 1;
    }
    ::_exit(status);
  };
  pid_t one = child("x"), two = child("y");
  for (pid_t pid : {one, two}) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  std::set<std::string> given;
  for (const char* name : {"x.txt", "y.txt"}) {
    std::istringstream lines(boxlab::sys::read_file(dir.path() / name));
    for (std::string line; std::getline(lines, line);) CHECK(given.insert(line).second);
  }
  CHECK(given.size() == 2 * per_process);
  CHECK(net::Ipam(dir.path(), subnet).allocations().size() == 2 * per_process);
}

TEST_CASE("pick_free_subnet takes Docker's default pools in order, skipping what overlaps", "[net][ipam]") {
  CHECK(net::pick_free_subnet({}, {}) == cidr("172.17.0.0/16"));
  CHECK(net::pick_free_subnet({cidr("172.17.0.0/16")}, {}) == cidr("172.18.0.0/16"));
  // A host route inside a candidate rules it out (a LAN, a VPN, another runtime's bridge).
  CHECK(net::pick_free_subnet({cidr("172.17.0.0/16")}, {cidr("172.18.5.0/24")}) == cidr("172.19.0.0/16"));
  // The default route overlaps everything and is ignored.
  CHECK(net::pick_free_subnet({}, {cidr("0.0.0.0/0"), cidr("10.0.0.0/8")}) == cidr("172.17.0.0/16"));
  // A route that holds every 172 candidate sends us to 192.168.x.0/20.
  CHECK(net::pick_free_subnet({}, {cidr("172.16.0.0/12")}) == cidr("192.168.0.0/20"));
  CHECK(net::pick_free_subnet({cidr("192.168.0.0/24")}, {cidr("172.16.0.0/12")}) == cidr("192.168.16.0/20"));
  CHECK(net::pick_free_subnet({cidr("192.168.0.0/17")}, {cidr("172.16.0.0/12")}) == cidr("192.168.128.0/20"));
  CHECK_THROWS_WITH(net::pick_free_subnet({cidr("192.168.0.0/16")}, {cidr("172.16.0.0/12")}),
                    test::contains("no free subnet: every default address pool"));
}
