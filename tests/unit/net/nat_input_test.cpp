// What the NAT table refuses before it talks to the kernel (no root needed): names and
// addresses that would not be safe inside an nft command, each with one line.
#include "boxlab/net/nat.hpp"

#include "boxlab/sys/error.hpp"
#include "catch.hpp"

namespace net = boxlab::net;

TEST_CASE("the NAT table checks names and addresses before using them", "[nat]") {
  CHECK_THROWS_WITH(net::NatTable("bad name"), "nft table name \"bad name\" is not letters, digits and '_' (at most 64)");
  CHECK_THROWS_WITH(net::NatTable("1abc"), "nft table name \"1abc\" is not letters, digits and '_' (at most 64)");
  CHECK_THROWS_WITH(net::NatTable(""), "nft table name \"\" is not letters, digits and '_' (at most 64)");
  CHECK(net::NatTable().name() == "boxlab");

  net::NatTable table("boxlab_unit_test_never_created");
  auto ports = net::parse_port_spec("8080:80");
  CHECK_THROWS_WITH(table.publish("a\" accept", "10.0.0.2", ports),
                    "NAT rule owner \"a\" accept\" must be 1-128 letters, digits or _.-:@/");
  CHECK_THROWS_WITH(table.publish("", "10.0.0.2", ports), "NAT rule owner \"\" must be 1-128 letters, digits or _.-:@/");
  CHECK_THROWS_WITH(table.publish(std::string(129, 'a'), "10.0.0.2", ports),
                    "NAT rule owner \"" + std::string(129, 'a') + "\" must be 1-128 letters, digits or _.-:@/");
  CHECK_THROWS_WITH(table.publish("c1", "10.0.0.256", ports), "container address \"10.0.0.256\" is not an IPv4 address");

  CHECK_THROWS_WITH(table.add_network({"net1", "172.18.0.0/33", "br0"}),
                    "subnet \"172.18.0.0/33\" is not an IPv4 subnet like 172.18.0.0/16");
  CHECK_THROWS_WITH(table.add_network({"net1", "172.18.0.0", "br0"}),
                    "subnet \"172.18.0.0\" is not an IPv4 subnet like 172.18.0.0/16");
  CHECK_THROWS_WITH(table.add_network({"net1", "172.18.0.0/16", "a-bridge-name-too-long"}),
                    "interface name \"a-bridge-name-too-long\" is not a valid interface name");
  CHECK_THROWS_WITH(table.add_network({"net1", "172.18.0.0/16", "../all"}),
                    "interface name \"../all\" is not a valid interface name");
  CHECK_THROWS_WITH(table.add_network({"net1", "172.18.0.0/16", ".."}), "interface name \"..\" is not a valid interface name");
  CHECK_THROWS_WITH(table.add_network({"net 1", "172.18.0.0/16", "br0"}),
                    "NAT rule owner \"net 1\" must be 1-128 letters, digits or _.-:@/");
}

TEST_CASE("published ports describe themselves as docker ps does", "[nat]") {
  net::PortForward forward{"0.0.0.0", 8080, net::Protocol::tcp, "172.18.0.2", 80, "c1"};
  CHECK(forward.describe() == "0.0.0.0:8080->80/tcp");
  forward.host_ip = "127.0.0.1";
  forward.protocol = net::Protocol::udp;
  CHECK(forward.describe() == "127.0.0.1:8080->80/udp");
}
