// Subnets as values: parsing (and its error messages), host numbering, gateway and broadcast,
// contains and overlaps, interface addresses, and the names of links (veth names, IFNAMSIZ).
#include "boxlab/net/link.hpp"
#include "boxlab/net/subnet.hpp"
#include "boxlab/net/veth.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"

namespace net = boxlab::net;

namespace {

net::Ipv4Address ip(const char* text) { return net::Ipv4Address::parse(text); }
net::Subnet cidr(const char* text) { return net::Subnet::parse(text); }

}  // namespace

TEST_CASE("an IPv4 address parses from dotted quads and prints back", "[net][subnet]") {
  CHECK(ip("172.18.0.1").value == 0xAC120001u);
  CHECK(ip("0.0.0.0").value == 0);
  CHECK(ip("255.255.255.255").value == 0xFFFFFFFFu);
  CHECK(ip("10.1.2.3").to_string() == "10.1.2.3");
  CHECK(ip("10.0.0.2") < ip("10.0.0.10"));  // as numbers, not as text
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "a.b.c.d", "1.2.3.4 ", "0x1.2.3.4", "::1"}) {
    INFO(bad);
    CHECK_THROWS_WITH(ip(bad), "invalid IPv4 address \"" + std::string(bad) + "\"");
  }
}

TEST_CASE("a subnet parses, prints, and knows its mask, gateway, broadcast and hosts", "[net][subnet]") {
  net::Subnet s = cidr("172.18.0.0/16");
  CHECK(s.to_string() == "172.18.0.0/16");
  CHECK(s.network() == ip("172.18.0.0"));
  CHECK(s.prefix() == 16);
  CHECK(s.mask() == 0xFFFF0000u);
  CHECK(s.size() == 65536);
  CHECK(s.host_count() == 65534);
  CHECK(s.gateway() == ip("172.18.0.1"));
  CHECK(s.broadcast() == ip("172.18.255.255"));
  CHECK(s.host(2) == ip("172.18.0.2"));
  CHECK(s.host(256) == ip("172.18.1.0"));
  CHECK(s.host(65534) == ip("172.18.255.254"));
  CHECK_THROWS_WITH(s.host(0), "subnet 172.18.0.0/16 has no host number 0 (it has 65534)");
  CHECK_THROWS_WITH(s.host(65535), "subnet 172.18.0.0/16 has no host number 65535 (it has 65534)");
  CHECK(cidr("10.0.0.0/8").broadcast() == ip("10.255.255.255"));
  CHECK(cidr("192.168.16.0/20").broadcast() == ip("192.168.31.255"));
}

TEST_CASE("small and large prefixes: /30 has two hosts, /31 and /32 none, /0 everything", "[net][subnet]") {
  net::Subnet p30 = cidr("10.9.0.4/30");
  CHECK(p30.host_count() == 2);
  CHECK(p30.gateway() == ip("10.9.0.5"));
  CHECK(p30.host(2) == ip("10.9.0.6"));
  CHECK(p30.broadcast() == ip("10.9.0.7"));
  CHECK(cidr("10.9.0.4/31").host_count() == 0);
  CHECK_THROWS_WITH(cidr("10.9.0.4/31").gateway(), "subnet 10.9.0.4/31 has no host number 1 (it has 0)");
  CHECK(cidr("10.9.0.4/32").size() == 1);
  net::Subnet all = cidr("0.0.0.0/0");
  CHECK(all.mask() == 0);
  CHECK(all.size() == (uint64_t{1} << 32));
  CHECK(all.contains(ip("8.8.8.8")));
}

TEST_CASE("bad subnets are refused with a message naming the text", "[net][subnet]") {
  auto refused = [](const std::string& text, const std::string& why) {
    INFO(text);
    CHECK_THROWS_WITH(net::Subnet::parse(text), "invalid subnet \"" + text + "\": " + why);
  };
  std::string want_slash = "expected ADDRESS/PREFIX, such as 172.18.0.0/16";
  std::string want_prefix = "the prefix length must be a number from 0 to 32";
  refused("", want_slash);
  refused("172.18.0.0", want_slash);
  refused("172.18.0.0/", want_prefix);
  refused("172.18.0.0/33", want_prefix);
  refused("172.18.0.0/-1", want_prefix);
  refused("172.18.0.0/+8", want_prefix);
  refused("172.18.0.0/016", want_prefix);
  refused("172.18.0.0/16 ", want_prefix);
  refused("172.18.0.0/16/1", want_prefix);
  refused("172.18.0/16", "invalid IPv4 address \"172.18.0\"");
  refused("172.300.0.0/16", "invalid IPv4 address \"172.300.0.0\"");
  refused("172.18.0.5/16", "host bits are set (did you mean 172.18.0.0/16?)");
  refused("10.0.0.1/0", "host bits are set (did you mean 0.0.0.0/0?)");
  CHECK_THROWS_WITH(net::Subnet(ip("10.0.0.1"), 24),
                    "invalid subnet 10.0.0.1/24: host bits are set (the network is 10.0.0.0/24)");
  CHECK_THROWS_WITH(net::Subnet(ip("10.0.0.0"), 40), "invalid subnet prefix /40");
}

TEST_CASE("contains covers network to broadcast; overlaps means one block holds the other", "[net][subnet]") {
  net::Subnet s = cidr("172.18.0.0/16");
  CHECK(s.contains(ip("172.18.0.0")));
  CHECK(s.contains(ip("172.18.200.7")));
  CHECK(s.contains(ip("172.18.255.255")));
  CHECK_FALSE(s.contains(ip("172.19.0.0")));
  CHECK_FALSE(s.contains(ip("172.17.255.255")));

  CHECK(s.overlaps(cidr("172.18.5.0/24")));
  CHECK(cidr("172.18.5.0/24").overlaps(s));
  CHECK(s.overlaps(s));
  CHECK(cidr("172.16.0.0/12").overlaps(s));
  CHECK(cidr("0.0.0.0/0").overlaps(s));
  CHECK(cidr("10.0.0.0/8").overlaps(cidr("10.255.255.252/30")));
  CHECK_FALSE(s.overlaps(cidr("172.19.0.0/16")));
  CHECK_FALSE(s.overlaps(cidr("172.17.0.0/16")));
  CHECK_FALSE(cidr("192.168.0.0/20").overlaps(cidr("192.168.16.0/20")));
}

TEST_CASE("containing() clears host bits; an interface address keeps them", "[net][subnet]") {
  CHECK(net::Subnet::containing(ip("172.18.0.5"), 16) == cidr("172.18.0.0/16"));
  CHECK(net::Subnet::containing(ip("192.168.31.9"), 20) == cidr("192.168.16.0/20"));
  net::InterfaceAddress a = net::InterfaceAddress::parse("172.18.0.2/16");
  CHECK(a.address == ip("172.18.0.2"));
  CHECK(a.prefix == 16);
  CHECK(a.subnet() == cidr("172.18.0.0/16"));
  CHECK(a.to_string() == "172.18.0.2/16");
  CHECK_THROWS_WITH(net::InterfaceAddress::parse("172.18.0.2"),
                    "invalid interface address \"172.18.0.2\": expected ADDRESS/PREFIX, such as 172.18.0.0/16");
}

TEST_CASE("link names fit IFNAMSIZ; a container's veth names start with bxl", "[net][link]") {
  CHECK_NOTHROW(net::check_link_name("boxlab0"));
  CHECK_NOTHROW(net::check_link_name("bxl0123456789ab"));  // 15
  for (const char* bad : {"", "bxl0123456789abc", "a/b", "a:b", "a b", ".", ".."}) {
    INFO(bad);
    CHECK_THROWS_WITH(net::check_link_name(bad), test::contains("invalid link name"));
  }
  net::VethNames names = net::veth_names("4f1c0a9e2b7d8c6e5f4a3b2c1d0e9f8a");
  CHECK(names.host == "bxl4f1c0a9e2b7");
  CHECK(names.peer == "bxl4f1c0a9e2b7p");
  CHECK_NOTHROW(net::check_link_name(names.host));
  CHECK_NOTHROW(net::check_link_name(names.peer));
  CHECK(net::veth_names("abc").host == "bxlabc");
}
