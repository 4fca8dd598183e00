// Netlink: the socket through which a process reads and changes the kernel's network objects.
//
// `ip link add`, `ip addr add` and `ip route add` are not special system calls: each sends a
// message (RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE, ...) over a socket of family AF_NETLINK,
// protocol NETLINK_ROUTE, and reads the kernel's acknowledgement or error back (netlink(7),
// rtnetlink(7)). libnl-route-3 builds and parses those messages; this file owns the socket.
//
// Which kernel does a netlink socket talk to? Each network namespace has its own links,
// addresses and routes, and a netlink socket is bound for its whole life to the namespace that
// was current when socket(2) created it: "a netlink socket ... stays bound to the namespace it
// was created in", whatever setns(2) the thread calls later (setns(2), network_namespaces(7)).
// So to configure a container's network from the host, the runtime enters the container's
// namespace just long enough to create a socket, and goes back: NetnsScope does the going and
// the coming back, NetlinkSocket::in_netns the socket. Everything sent on that socket then
// happens inside the container, with no process needed in there.
//
// libnl reports failures as negative NLE_* codes, not errno; nl_geterror() gives their text and
// throw_netlink turns the usual ones back into errno so a caller can test for EEXIST.
//
// Interface: throw_netlink, check_netlink, NetlinkSocket (in_netns, get), NetnsScope
#include "boxlab/net/netlink.hpp"

#include <fcntl.h>
#include <sched.h>

#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::net {
namespace {

// The reverse of libnl's nl_syserr2nlerr() for the codes a caller may want to test.
int errno_of(int nl_error) {
  switch (nl_error) {
    case NLE_EXIST: return EEXIST;
    case NLE_OBJ_NOTFOUND: return ENOENT;
    case NLE_NODEV: return ENODEV;
    case NLE_PERM: return EPERM;
    case NLE_NOACCESS: return EACCES;
    case NLE_BUSY: return EBUSY;
    case NLE_INVAL: return EINVAL;
    case NLE_NOADDR: return EADDRNOTAVAIL;
    case NLE_RANGE: return ERANGE;
    case NLE_OPNOTSUPP: return EOPNOTSUPP;
    default: return 0;
  }
}

}  // namespace

void throw_netlink(int nl_error, const std::string& what) {
  nl_error = std::abs(nl_error);
  throw Error::reported(errno_of(nl_error), what + ": " + nl_geterror(nl_error), kExitRuntimeError);
}

int check_netlink(int result, const std::string& what) {
  if (result < 0) throw_netlink(result, what);
  return result;
}

NetlinkSocket::NetlinkSocket() : sock_(nl_socket_alloc()) {
  if (!sock_) throw Error(ENOMEM, "netlink: allocate a socket");
  int result = nl_connect(sock_, NETLINK_ROUTE);
  if (result < 0) {
    nl_socket_free(sock_);
    throw_netlink(result, "netlink: connect a NETLINK_ROUTE socket");
  }
}

NetlinkSocket NetlinkSocket::in_netns(int netns_fd) {
  NetnsScope inside(netns_fd);
  return NetlinkSocket();  // created here, so bound to netns_fd's namespace for good
}

NetlinkSocket::NetlinkSocket(NetlinkSocket&& other) noexcept : sock_(std::exchange(other.sock_, nullptr)) {}

NetlinkSocket& NetlinkSocket::operator=(NetlinkSocket&& other) noexcept {
  if (this != &other) {
    if (sock_) nl_socket_free(sock_);
    sock_ = std::exchange(other.sock_, nullptr);
  }
  return *this;
}

NetlinkSocket::~NetlinkSocket() {
  if (sock_) nl_socket_free(sock_);  // closes the socket too
}

NetnsScope::NetnsScope(int netns_fd)
    // thread-self, not self: setns(2) moves only the calling thread, so it is the thread's
    // namespace that has to be restored.
    : original_(sys::open("/proc/thread-self/ns/net", O_RDONLY)) {
  with_context("enter network namespace", [&] { sys::setns(netns_fd, CLONE_NEWNET); });
}

NetnsScope::~NetnsScope() {
  try {
    sys::setns(original_.get(), CLONE_NEWNET);
  } catch (const std::exception& e) {
    // Going back to our own namespace fails only if something is badly wrong (the saved fd was
    // closed under us). Every later step would then act on the container's network as if it
    // were the host's; stopping is the only safe choice left to a destructor.
    std::fprintf(stderr, "fatal: return to the original network namespace: %s\n", e.what());
    std::abort();
  }
}

}  // namespace boxlab::net
