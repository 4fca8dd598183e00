// Host ports: asking the kernel whether a port is free, and for a free one.
//
// A published port is a DNAT rule (nat.cpp), not a socket: nothing on the host listens on it.
// So nothing stops a host program from holding the same port, and nothing would stop two
// containers from publishing it either. Docker's answer is to ask the kernel first: bind(2) a
// socket to the host address and port; EADDRINUSE means some socket already has it, and the
// user reads "Bind for 0.0.0.0:8080 failed: port is already allocated". (Conflicts between
// containers are found in our own nft table, see NatTable::publish.)
//
// Two details of bind(2) matter here (socket(7), ip(7)):
//  - SO_REUSEADDR for TCP, as every server sets it, so that a port whose last connection is
//    still in TIME_WAIT counts as free; a LISTENING socket on the port still makes bind fail.
//    Not for UDP: there it lets two sockets that both set it share the port, which would hide
//    exactly the conflict we look for (and UDP has no TIME_WAIT).
//  - Binding 0.0.0.0 conflicts with a socket on any address with the same port, and binding
//    one address conflicts with a socket on 0.0.0.0: exactly the overlap that matters for a
//    port published on every address or on one.
// Port 0 asks the kernel to choose a free port from net.ipv4.ip_local_port_range; getsockname(2)
// tells which. Docker's allocator picks from the same range (32768-60999 by default).
//
// The check is a moment's truth: the socket is closed at once. A runtime that must hold the
// port for the container's life would keep the socket open in a long-lived process instead.
//
// Interface: port_already_allocated, check_host_port_free, pick_free_host_port
#include "boxlab/net/host_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "boxlab/sys/unique_fd.hpp"

namespace boxlab::net {
namespace {

std::string bind_what(const std::string& host_ip, uint16_t port) {
  return "Bind for " + host_ip + ":" + std::to_string(port) + " failed";
}

sockaddr_in ipv4_address(const std::string& host_ip, uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, host_ip.c_str(), &addr.sin_addr) != 1)
    throw Error("host address \"" + host_ip + "\" is not an IPv4 address");
  return addr;
}

// A socket of @p protocol bound to @p host_ip:@p port; throws as the header says.
sys::UniqueFd bind_port(const std::string& host_ip, uint16_t port, Protocol protocol) {
  sockaddr_in addr = ipv4_address(host_ip, port);
  int type = (protocol == Protocol::udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC;
  sys::UniqueFd fd(socket(AF_INET, type, 0));
  if (!fd) throw Error(errno, "socket(AF_INET, " + std::string(to_string(protocol)) + ")");
  int one = 1;  // TCP only: for UDP, SO_REUSEADDR would let us share a port another has
  if (protocol == Protocol::tcp && setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
    throw Error(errno, "setsockopt(SO_REUSEADDR)");
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == EADDRINUSE) throw port_already_allocated(host_ip, port);
    throw Error(errno, bind_what(host_ip, port));
  }
  return fd;
}

}  // namespace

Error port_already_allocated(const std::string& host_ip, uint16_t port) {
  return Error::reported(EADDRINUSE, bind_what(host_ip, port) + ": port is already allocated",
                         kExitRuntimeError);
}

void check_host_port_free(const std::string& host_ip, uint16_t port, Protocol protocol) {
  bind_port(host_ip, port, protocol);
}

uint16_t pick_free_host_port(const std::string& host_ip, Protocol protocol) {
  sys::UniqueFd fd = bind_port(host_ip, 0, protocol);
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw Error(errno, "getsockname(" + host_ip + ")");
  return ntohs(addr.sin_port);
}

}  // namespace boxlab::net
