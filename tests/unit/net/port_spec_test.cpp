// Port specs: every form of `docker run -p` boxlab accepts, one mapping per container port, and
// every malformed one refused with exactly one line; -P's ports from ExposedPorts keys.
#include "boxlab/net/port_spec.hpp"

#include <string>
#include <vector>

#include "boxlab/sys/error.hpp"
#include "catch.hpp"

namespace net = boxlab::net;
using net::PortMapping;
using net::Protocol;

namespace {

PortMapping map(std::string ip, uint16_t host, uint16_t host_last, uint16_t container, Protocol protocol = Protocol::tcp) {
  return {std::move(ip), host, host_last, container, protocol};
}

}  // namespace

TEST_CASE("port specs parse as docker run -p reads them", "[nat][port_spec]") {
  struct Case {
    std::string spec;
    std::vector<PortMapping> mappings;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"8080:80", {map("0.0.0.0", 8080, 8080, 80)}},
           {"127.0.0.1:8080:80", {map("127.0.0.1", 8080, 8080, 80)}},
           {"80", {map("0.0.0.0", 0, 0, 80)}},
           {"80/udp", {map("0.0.0.0", 0, 0, 80, Protocol::udp)}},
           {"8080:80/udp", {map("0.0.0.0", 8080, 8080, 80, Protocol::udp)}},
           {"8080:80/tcp", {map("0.0.0.0", 8080, 8080, 80)}},
           {"127.0.0.1::80", {map("127.0.0.1", 0, 0, 80)}},
           {"10.1.2.3:53:53/udp", {map("10.1.2.3", 53, 53, 53, Protocol::udp)}},
           {"65535:1", {map("0.0.0.0", 65535, 65535, 1)}},
           {"8000-8002:80-82",
            {map("0.0.0.0", 8000, 8000, 80), map("0.0.0.0", 8001, 8001, 81), map("0.0.0.0", 8002, 8002, 82)}},
           {"127.0.0.1:9000-9001:9000-9001/udp",
            {map("127.0.0.1", 9000, 9000, 9000, Protocol::udp), map("127.0.0.1", 9001, 9001, 9001, Protocol::udp)}},
           {"80-81", {map("0.0.0.0", 0, 0, 80), map("0.0.0.0", 0, 0, 81)}},
           {"8000-8010:80", {map("0.0.0.0", 8000, 8010, 80)}},
           {"5000-5000:6000", {map("0.0.0.0", 5000, 5000, 6000)}},
       }) {
    INFO(c.spec);
    CHECK(net::parse_port_spec(c.spec) == c.mappings);
  }
}

TEST_CASE("malformed port specs are refused with one line", "[nat][port_spec]") {
  struct Case {
    std::string spec, why;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"70000:80", "host port 70000 is out of range (1-65535)"},
           {"8080:70000", "container port 70000 is out of range (1-65535)"},
           {"0:80", "host port 0 is out of range (1-65535)"},
           {"8080:0", "container port 0 is out of range (1-65535)"},
           {"99999999999999999999:80", "host port 99999999999999999999 is out of range (1-65535)"},
           {"a:b", "host port \"a\" is not a number"},
           {"8080:b", "container port \"b\" is not a number"},
           {"-1:80", "empty host port"},
           {"80:", "no container port after ':'"},
           {":80", "empty host port before ':' (write \"80\" for a free host port)"},
           {"", "no container port"},
           {"80/sctp", "protocol \"sctp\" is not tcp or udp"},
           {"80/TCP", "protocol \"TCP\" is not tcp or udp"},
           {"80/", "no protocol after '/' (tcp or udp)"},
           {"/tcp", "no container port"},
           {"8000-8001:80-82", "host port range 8000-8001 and container port range 80-82 differ in length"},
           {"8000:80-82", "host port range 8000 and container port range 80-82 differ in length"},
           {"90-80", "container port range 90-80 ends before it starts"},
           {"8000-:80", "empty host port"},
           {"1.2.3:8080:80", "host address \"1.2.3\" is not an IPv4 address"},
           {"localhost:8080:80", "host address \"localhost\" is not an IPv4 address"},
           {":8080:80", "empty host address before ':'"},
           {"[::1]:8080:80", "IPv6 host addresses are not supported (boxlab publishes on IPv4 only)"},
           {"::1:8080:80", "too many ':' (the form is [ip:][hostPort:]containerPort)"},
           {"8080 :80", "host port \"8080 \" is not a number"},
       }) {
    INFO(c.spec);
    std::string expected = "invalid port spec \"" + c.spec + "\": " + c.why;
    CHECK_THROWS_WITH(net::parse_port_spec(c.spec), expected);
    CHECK(expected.find('\n') == std::string::npos);
  }
}

TEST_CASE("the message for an out-of-range port says invalid port", "[nat][port_spec]") {
  try {
    net::parse_port_spec("70000:80");
    FAIL("70000:80 was accepted");
  } catch (const boxlab::Error& e) {
    CHECK(std::string(e.what()).rfind("invalid port", 0) == 0);
    CHECK(e.errno_value() == 0);
  }
}

TEST_CASE("-P publishes every exposed port on a free host port", "[nat][port_spec]") {
  CHECK(net::exposed_port_mappings({"80/tcp", "53/udp", "443", "8000-8001/tcp"}) ==
        std::vector<PortMapping>{map("0.0.0.0", 0, 0, 80), map("0.0.0.0", 0, 0, 53, Protocol::udp),
                                 map("0.0.0.0", 0, 0, 443), map("0.0.0.0", 0, 0, 8000), map("0.0.0.0", 0, 0, 8001)});
  CHECK(net::exposed_port_mappings({}).empty());
  CHECK_THROWS_WITH(net::exposed_port_mappings({"80/tcp", "x/tcp"}),
                    "invalid exposed port \"x/tcp\": container port \"x\" is not a number");
  CHECK_THROWS_WITH(net::exposed_port_mappings({"8080:80/tcp"}),
                    "invalid exposed port \"8080:80/tcp\": an exposed port names a container port only, not a host port");
  CHECK_THROWS_WITH(net::exposed_port_mappings({"80/sctp"}),
                    "invalid exposed port \"80/sctp\": protocol \"sctp\" is not tcp or udp");
}

TEST_CASE("mappings describe themselves as docker ps does", "[nat][port_spec]") {
  CHECK(map("0.0.0.0", 8080, 8080, 80).describe() == "0.0.0.0:8080->80/tcp");
  CHECK(map("127.0.0.1", 53, 53, 53, Protocol::udp).describe() == "127.0.0.1:53->53/udp");
  CHECK(map("0.0.0.0", 8000, 8010, 80).describe() == "0.0.0.0:8000-8010->80/tcp");
  CHECK(std::string(net::to_string(Protocol::udp)) == "udp");
}
