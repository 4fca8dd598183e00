// Host ports on the loopback (no root needed): a port some socket holds is refused with
// Docker's one line, a free one passes, and port 0 gives a free ephemeral port.
#include "boxlab/net/host_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/unique_fd.hpp"
#include "catch.hpp"

namespace net = boxlab::net;
using boxlab::sys::UniqueFd;

namespace {

// A socket bound to 127.0.0.1 on a port the kernel picks (listening if TCP); returns its port.
UniqueFd hold_loopback_port(int type, uint16_t& port) {
  UniqueFd fd(socket(AF_INET, type | SOCK_CLOEXEC, 0));
  REQUIRE(fd);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  if (type == SOCK_STREAM) REQUIRE(listen(fd.get(), 1) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

TEST_CASE("a host port held by a socket is already allocated", "[nat][host_port]") {
  for (auto [type, protocol] : {std::pair{SOCK_STREAM, net::Protocol::tcp}, std::pair{SOCK_DGRAM, net::Protocol::udp}}) {
    INFO(net::to_string(protocol));
    uint16_t port = 0;
    UniqueFd held = hold_loopback_port(type, port);
    std::string p = std::to_string(port);
    CHECK_THROWS_WITH(net::check_host_port_free("127.0.0.1", port, protocol),
                      "Bind for 127.0.0.1:" + p + " failed: port is already allocated");
    // Every address overlaps the loopback.
    CHECK_THROWS_WITH(net::check_host_port_free("0.0.0.0", port, protocol),
                      "Bind for 0.0.0.0:" + p + " failed: port is already allocated");
    try {
      net::check_host_port_free("127.0.0.1", port, protocol);
    } catch (const boxlab::Error& e) {
      CHECK(e.errno_value() == EADDRINUSE);
    }
    held.reset();
    CHECK_NOTHROW(net::check_host_port_free("127.0.0.1", port, protocol));
  }
}

TEST_CASE("port 0 gives a free ephemeral port", "[nat][host_port]") {
  for (auto protocol : {net::Protocol::tcp, net::Protocol::udp}) {
    uint16_t port = net::pick_free_host_port("127.0.0.1", protocol);
    CHECK(port >= 1024);
    CHECK_NOTHROW(net::check_host_port_free("127.0.0.1", port, protocol));
  }
}

TEST_CASE("binding an address the host does not have fails with its reason", "[nat][host_port]") {
  // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): no host has it. bind(2) sends nothing.
  CHECK_THROWS_WITH(net::check_host_port_free("192.0.2.1", 8080, net::Protocol::tcp),
                    "Bind for 192.0.2.1:8080 failed: Cannot assign requested address");
  CHECK_THROWS_WITH(net::check_host_port_free("nowhere", 8080, net::Protocol::tcp),
                    "host address \"nowhere\" is not an IPv4 address");
}
