// Root tests of the netlink half of a bridge network against the real kernel: a bridge with
// the gateway address, a veth pair into a network namespace the test made, eth0 configured
// from the host through a netlink socket opened in that namespace, and a TCP connection from
// the namespace to a listener on the bridge's address. Every link is named bxlt<pid>… and
// deleted on every path; traffic goes only to addresses the test created.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "boxlab/net/address.hpp"
#include "boxlab/net/bridge.hpp"
#include "boxlab/net/ipam.hpp"
#include "boxlab/net/link.hpp"
#include "boxlab/net/netlink.hpp"
#include "boxlab/net/route.hpp"
#include "boxlab/net/veth.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/process.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace net = boxlab::net;
namespace sys = boxlab::sys;

namespace {

// This process's prefix for link names: bxlt<pid>, so parallel runs never share a link.
std::string link_prefix() { return "bxlt" + std::to_string(::getpid()); }

// The host's links whose names start with link_prefix().
std::vector<std::string> our_links() {
  net::NetlinkSocket nl;
  std::vector<std::string> out;
  for (const auto& name : net::link_names(nl))
    if (name.rfind(link_prefix(), 0) == 0) out.push_back(name);
  return out;
}

// What these tests must not leave behind: a link of ours or a child process. (Not
// test::NoLeaks: they mount nothing, and the host's mount table changes under other work.)
struct NoStrays {
  ~NoStrays() {
    CHECK(our_links().empty());
    CHECK(test::child_pids().empty());
  }
};

// A link the test created, deleted at the end of the scope whatever happens.
struct LinkGuard {
  std::string name;
  ~LinkGuard() {
    try {
      net::NetlinkSocket nl;
      net::delete_link(nl, name);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "warning: delete %s: %s\n", name.c_str(), e.what());
    }
  }
};

// A network namespace of the test's own: a child unshare()s a new one and waits on a pipe
// while the test opens /proc/<child>/ns/net; then it exits. The open descriptor keeps the
// namespace alive until it is closed (namespaces(7)).
struct TestNetns {
  sys::UniqueFd fd;
  TestNetns() {
    sys::Pipe ready = sys::pipe2(), hold = sys::pipe2();
    pid_t pid = ::fork();
    if (pid == 0) {
      ready.read_end.reset();
      hold.write_end.reset();
      if (::unshare(CLONE_NEWNET) < 0) ::_exit(1);
      char c = 'x';
      if (::write(ready.write_end.get(), &c, 1) != 1) ::_exit(1);
      while (::read(hold.read_end.get(), &c, 1) > 0) {}
      ::_exit(0);
    }
    sys::Child child(pid);
    ready.write_end.reset();
    char c = 0;
    REQUIRE(sys::read(ready.read_end.get(), &c, 1) == 1);
    fd = sys::open("/proc/" + std::to_string(pid) + "/ns/net", O_RDONLY);
    hold.write_end.reset();  // the child may go: our descriptor holds the namespace now
    REQUIRE(child.wait().code == 0);
  }
};

ino_t inode_of(const std::string& path) { return sys::stat(path).st_ino; }

sockaddr_in endpoint(net::Ipv4Address address, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(address.value);
  sa.sin_port = htons(port);
  return sa;
}

// A TCP listener on @p address (an address the test put on its bridge), on a free port.
sys::UniqueFd listen_on(net::Ipv4Address address, uint16_t& port) {
  sys::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd);
  sockaddr_in sa = endpoint(address, 0);
  REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  REQUIRE(::listen(fd.get(), 1) == 0);
  socklen_t len = sizeof sa;
  REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len) == 0);
  port = ntohs(sa.sin_port);
  return fd;
}

// Connect @p fd (non-blocking) to @p address:@p port, waiting at most 5 s; returns the error (0: connected).
int connect_within_5s(int fd, net::Ipv4Address address, uint16_t port) {
  sockaddr_in sa = endpoint(address, port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) return 0;
  if (errno != EINPROGRESS) return errno;
  pollfd p{fd, POLLOUT, 0};
  if (sys::poll(&p, 1, 5000) == 0) return ETIMEDOUT;
  int error = 0;
  socklen_t len = sizeof error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
  return error;
}

}  // namespace

TEST_CASE("NetnsScope enters a namespace for its scope; a socket made inside stays there", "[net][netlink][root]") {
  NoStrays no_strays;
  TestNetns ns;
  ino_t host = inode_of("/proc/thread-self/ns/net");
  {
    net::NetnsScope inside(ns.fd.get());
    CHECK(inode_of("/proc/thread-self/ns/net") == sys::stat("/proc/self/fd/" + std::to_string(ns.fd.get())).st_ino);
  }
  CHECK(inode_of("/proc/thread-self/ns/net") == host);
  // A fresh namespace has only lo, and it is down.
  net::NetlinkSocket inside = net::NetlinkSocket::in_netns(ns.fd.get());
  CHECK(net::link_names(inside) == std::vector<std::string>{"lo"});
  CHECK_FALSE(net::is_up(inside, "lo"));
  CHECK(inode_of("/proc/thread-self/ns/net") == host);
  CHECK_THROWS_WITH(net::NetnsScope(-1), test::contains("enter network namespace: setns"));
}

TEST_CASE("bridge, veth pair into a namespace, eth0 with address and route, TCP to the gateway",
          "[net][netlink][root]") {
  NoStrays no_strays;
  net::NetlinkSocket host;
  const std::string bridge = link_prefix() + "b";
  LinkGuard bridge_guard{bridge};

  // The network: a subnet no host route overlaps, the gateway on the bridge.
  net::Subnet subnet = net::pick_free_subnet({}, net::routes_ipv4(host));
  net::InterfaceAddress gateway{subnet.gateway(), subnet.prefix()};
  net::InterfaceAddress container{subnet.host(2), subnet.prefix()};
  INFO("subnet " << subnet.to_string());

  int index = net::ensure_bridge(host, bridge);
  CHECK(net::ensure_bridge(host, bridge) == index);  // idempotent
  CHECK(net::link_kind(host, bridge) == "bridge");
  net::add_address(host, bridge, gateway);
  net::set_up(host, bridge);
  CHECK(net::addresses_ipv4(host, bridge) == std::vector<net::InterfaceAddress>{gateway});
  auto routes = net::routes_ipv4(host);
  CHECK(std::find(routes.begin(), routes.end(), subnet) != routes.end());  // the connected route

  {
    net::VethPair veth = net::VethPair::create(link_prefix() + "h", link_prefix() + "p");
    CHECK(net::link_kind(host, veth.host()) == "veth");
    CHECK(net::ifindex(host, veth.host()) == veth.host_index());
    net::attach_to_bridge(host, veth.host(), bridge);
    CHECK(net::bridge_ports(host, bridge) == std::vector<std::string>{veth.host()});
    CHECK(net::is_up(host, veth.host()));

    TestNetns ns;
    net::move_to_netns(host, veth.peer(), ns.fd.get());
    CHECK_FALSE(net::link_exists(host, veth.peer()));
    net::NetlinkSocket inside = net::NetlinkSocket::in_netns(ns.fd.get());
    CHECK(net::link_exists(inside, veth.peer()));
    net::configure_container_end(inside, veth.peer(), container, gateway.address);

    // What the container sees.
    CHECK(net::link_names(inside) == std::vector<std::string>{"eth0", "lo"});
    CHECK(net::is_up(inside, "eth0"));
    CHECK(net::is_up(inside, "lo"));
    CHECK(net::addresses_ipv4(inside, "eth0") == std::vector<net::InterfaceAddress>{container});
    CHECK(net::default_gateway(inside) == gateway.address);
    auto inside_routes = net::routes_ipv4(inside);
    CHECK(inside_routes == std::vector<net::Subnet>{subnet});
    CHECK(net::default_gateway(host) != gateway.address);  // the host's own route is untouched

    // TCP from the namespace to a listener on the bridge's address: the client socket is
    // created inside the namespace (sockets, like netlink ones, stay where they were made).
    uint16_t port = 0;
    sys::UniqueFd listener = listen_on(gateway.address, port);
    sys::UniqueFd client;
    {
      net::NetnsScope enter(ns.fd.get());
      client.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    }
    REQUIRE(client);
    REQUIRE(connect_within_5s(client.get(), gateway.address, port) == 0);
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    sys::UniqueFd accepted(::accept4(listener.get(), reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC));
    REQUIRE(accepted);
    CHECK(net::Ipv4Address{ntohl(peer.sin_addr.s_addr)} == container.address);  // it came from eth0
    sys::write_all(client.get(), "hi");
    char buf[2] = {};
    CHECK(sys::read(accepted.get(), buf, 2) == 2);
    CHECK(std::string(buf, 2) == "hi");

    // Deleting the host end takes the container's eth0 with it.
    CHECK(net::delete_link(host, veth.host()));
    veth.release();  // gone already: nothing left for the guard
    CHECK(net::link_names(inside) == std::vector<std::string>{"lo"});
    CHECK(net::bridge_ports(host, bridge).empty());
  }
  CHECK(net::delete_link(host, bridge));
  CHECK_FALSE(net::delete_link(host, bridge));
  CHECK(our_links().empty());
}

TEST_CASE("VethPair deletes both ends when a start fails, and keeps them once released", "[net][netlink][root]") {
  NoStrays no_strays;
  net::NetlinkSocket host;
  const std::string h = link_prefix() + "h", p = link_prefix() + "p";
  try {
    net::VethPair veth = net::VethPair::create(h, p);
    CHECK(net::link_exists(host, h));
    CHECK(net::link_exists(host, p));
    throw boxlab::Error("a later step failed");
  } catch (const boxlab::Error&) {
  }
  CHECK_FALSE(net::link_exists(host, h));
  CHECK_FALSE(net::link_exists(host, p));
  {
    LinkGuard cleanup{h};
    {
      net::VethPair veth = net::VethPair::create(h, p);
      net::VethPair moved = std::move(veth);  // the guard moves with the pair
      moved.release();
    }
    CHECK(net::link_exists(host, h));
    CHECK_THROWS_WITH(net::VethPair::create(h, p), test::contains("netlink: create veth pair " + h + " and " + p));
    // A link of that name that is not a bridge is not taken for one.
    CHECK_THROWS_WITH(net::ensure_bridge(host, h), "link " + h + " exists and is a veth, not a bridge");
  }
}

TEST_CASE("netlink failures name the step, the link and the kernel's reason", "[net][netlink][root]") {
  NoStrays no_strays;
  net::NetlinkSocket host;
  const std::string missing = link_prefix() + "x";
  CHECK_FALSE(net::link_exists(host, missing));
  CHECK_FALSE(net::delete_link(host, missing));
  try {
    net::set_up(host, missing);
    FAIL("set_up of a missing link succeeded");
  } catch (const boxlab::Error& e) {
    CHECK(std::string(e.what()) == "no link named \"" + missing + "\"");
    CHECK(e.errno_value() == ENODEV);
  }
  CHECK_THROWS_WITH(net::set_up(host, "a/b"), test::contains("invalid link name \"a/b\""));

  TestNetns ns;
  net::NetlinkSocket inside = net::NetlinkSocket::in_netns(ns.fd.get());
  net::set_up(inside, "lo");
  CHECK_THROWS_WITH(net::ensure_bridge(inside, "lo"), "link lo exists and is not a bridge");
  // No route to the gateway yet: the kernel refuses the default route.
  CHECK_THROWS_WITH(net::add_default_route(inside, net::Ipv4Address::parse("10.77.0.1")),
                    test::contains("netlink: add default route via 10.77.0.1: "));
  // The same address twice: EEXIST, as the kernel said it.
  net::InterfaceAddress a = net::InterfaceAddress::parse("10.77.0.2/24");
  net::add_address(inside, "lo", a);
  try {
    net::add_address(inside, "lo", a);
    FAIL("adding an address twice succeeded");
  } catch (const boxlab::Error& e) {
    CHECK_THAT(e.what(), test::contains("netlink: add address 10.77.0.2/24 to link lo: "));
    CHECK(e.errno_value() == EEXIST);
  }
}
