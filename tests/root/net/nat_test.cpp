// Root tests of the NAT table against the real kernel, in a table of the test's own
// ("boxlab_test_<pid>", never "boxlab"), with a veth pair and a network namespace the test
// makes itself. Traffic goes only to 127.0.0.1 and to the test's own veth addresses
// (10.213.N.0/24).
//  - a published port answers on 127.0.0.1:hostPort (route_localnet + masquerade) and on the
//    host-side veth address, and stops answering when its owner's rules are removed; the
//    table, the link and the namespace are gone at the end;
//  - a host port some socket holds, or another owner publishes, is refused with Docker's line
//    and nothing is added;
//  - PublishedPorts removes its rules unless released; sweep keeps only live owners; ensure()
//    twice leaves one jump per chain.
#include "boxlab/net/nat.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "boxlab/net/host_port.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/process.hpp"
#include "boxlab/sys/scope_exit.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/unique_fd.hpp"
#include "catch.hpp"
#include "root/no_leaks.hpp"
#include "test_support.hpp"

namespace net = boxlab::net;
namespace sys = boxlab::sys;
using sys::UniqueFd;

namespace {

constexpr uint16_t kContainerPort = 80;

// Names of this test process's own resources.
struct Names {
  std::string pid = std::to_string(getpid());
  std::string table = "boxlab_test_" + pid;
  std::string host_if = "bxln" + pid + "h";  // at most 4 + 7 + 1 = 12 characters
  std::string peer_if = "bxln" + pid + "c";
  std::string third = std::to_string(getpid() % 250 + 1);
  std::string subnet = "10.213." + third + ".0/24";
  std::string host_ip = "10.213." + third + ".1";
  std::string container_ip = "10.213." + third + ".2";
  std::string network = "bxln-net-" + pid;
};

// A test's own nft table, absent at the start and deleted with everything in it at the end.
struct ScratchTable {
  net::NatTable table;
  explicit ScratchTable(const std::string& name) : table(name) { REQUIRE_FALSE(table.exists()); }
  ~ScratchTable() {
    try {
      table.delete_table();
    } catch (const std::exception& e) {
      WARN(e.what());
    }
  }
};

// Runs a set-up command (ip, nsenter); returns whether it succeeded.
bool command(std::vector<std::string> args) {
  sys::SpawnOptions options;
  options.args = std::move(args);
  auto done = test::capture(options);
  UNSCOPED_INFO(done.out);
  return !done.status.signaled && done.status.code == 0;
}

bool link_exists(const std::string& name) { return sys::exists("/sys/class/net/" + name); }

sockaddr_in address(const std::string& ip, uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  return addr;
}

// Connects to @p ip:@p port and reads until the server closes; nullopt if the connection
// fails (refused, or nothing within 3 seconds).
// (No Catch2 macro: it also runs in a forked child.)
std::optional<std::string> fetch(const std::string& ip, uint16_t port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return std::nullopt;
  sockaddr_in addr = address(ip, port);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS)
    return std::nullopt;
  pollfd ready{fd.get(), POLLOUT, 0};
  if (poll(&ready, 1, 3000) != 1) return std::nullopt;
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return std::nullopt;
  std::string out;
  for (;;) {
    pollfd readable{fd.get(), POLLIN, 0};
    if (poll(&readable, 1, 3000) != 1) return std::nullopt;
    char buf[64];
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      out.append(buf, size_t(n));
    } else if (n == 0) {
      return out;
    } else if (errno != EAGAIN && errno != EINTR) {
      return std::nullopt;
    }
  }
}

// fetch() from inside the network namespace of process @p pid, in a forked child.
std::optional<std::string> fetch_in_netns(pid_t pid, const std::string& ip, uint16_t port) {
  sys::Pipe result = sys::pipe2();
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int netns = open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
    if (netns < 0 || setns(netns, CLONE_NEWNET) != 0) _exit(2);
    std::optional<std::string> got = fetch(ip, port);
    if (!got) _exit(1);
    if (write(result.write_end.get(), got->data(), got->size()) != ssize_t(got->size())) _exit(2);
    _exit(0);
  }
  sys::Child reaped(child);
  result.write_end.reset();
  std::string out;
  char buf[64];
  while (size_t n = sys::read(result.read_end.get(), buf, sizeof buf)) out.append(buf, n);
  sys::ExitStatus status = reaped.wait();
  REQUIRE(!status.signaled);
  REQUIRE(status.code != 2);
  if (status.code != 0) return std::nullopt;
  return out;
}

// The "container": a child in a new network namespace that, once told to, serves "hello"
// on 0.0.0.0:80 of that namespace to every connection until it is killed.
struct NamespacedServer {
  std::optional<sys::Child> child;

  NamespacedServer() {
    sys::Pipe ready = sys::pipe2(), go = sys::pipe2();
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) serve(ready.write_end.get(), go.read_end.get());
    child.emplace(pid);
    ready.write_end.reset();
    go.read_end.reset();
    ready_ = std::move(ready.read_end);
    go_ = std::move(go.write_end);
    REQUIRE(wait_for('n'));  // the namespace exists
  }

  pid_t pid() const { return child->pid(); }

  // Tell the child its link is configured; true once it listens.
  bool start_listening() {
    sys::write_all(go_.get(), "g");
    return wait_for('l');
  }

  // Kill the child: its namespace goes with it (nothing else holds it).
  void stop() {
    child->kill(SIGKILL);
    child->wait();
  }

 private:
  UniqueFd ready_, go_;

  bool wait_for(char expected) {
    char c = 0;
    return sys::read(ready_.get(), &c, 1) == 1 && c == expected;
  }

  // The child: no exceptions, no Catch2, _exit on any failure.
  [[noreturn]] static void serve(int ready, int go) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (unshare(CLONE_NEWNET) != 0) _exit(1);
    if (write(ready, "n", 1) != 1) _exit(1);
    char c;
    if (read(go, &c, 1) != 1) _exit(1);
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr = address("0.0.0.0", kContainerPort);
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 8) != 0) _exit(1);
    if (write(ready, "l", 1) != 1) _exit(1);
    for (;;) {
      int conn = accept(listener, nullptr, nullptr);
      if (conn < 0) continue;
      send(conn, "hello", 5, MSG_NOSIGNAL);
      close(conn);
    }
  }
};

// The inode of @p pid's network namespace; and whether any process still has it.
ino_t netns_inode(pid_t pid) { return sys::stat("/proc/" + std::to_string(pid) + "/ns/net").st_ino; }

bool netns_in_use(ino_t inode) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    struct stat raw{};
    if (::stat((entry.path() / "ns/net").c_str(), &raw) == 0 && raw.st_ino == inode) return true;
  }
  return false;
}

bool has_owner(net::NatTable& table, const std::string& owner) {
  for (const auto& rule : table.rules())
    if (rule.owner == owner) return true;
  return false;
}

std::set<std::string> owners(net::NatTable& table) {
  std::set<std::string> out;
  for (const auto& rule : table.rules()) out.insert(rule.owner);
  return out;
}

// Puts /proc/sys/net/ipv4/ip_forward back as it was if the test changed it.
struct IpForwardRestored {
  std::string before = sys::read_file("/proc/sys/net/ipv4/ip_forward");
  ~IpForwardRestored() {
    try {
      if (sys::read_file("/proc/sys/net/ipv4/ip_forward") != before)
        sys::write_file("/proc/sys/net/ipv4/ip_forward", before);
    } catch (const std::exception& e) {
      WARN(e.what());
    }
  }
};

}  // namespace

TEST_CASE("a published port leads to the container from 127.0.0.1 and the host's address, until removed",
          "[nat][root]") {
  test::NoLeaks no_leaks;
  Names names;
  IpForwardRestored ip_forward;
  REQUIRE_FALSE(link_exists(names.host_if));

  // The container: a namespace, a veth pair into it, addresses, a server on port 80.
  NamespacedServer server;
  std::string pid = std::to_string(server.pid());
  ino_t netns = netns_inode(server.pid());
  sys::ScopeExit delete_link([&] {
    if (link_exists(names.host_if)) command({"ip", "link", "del", names.host_if});
  });
  std::vector<std::string> in_netns{"nsenter", "--net=/proc/" + pid + "/ns/net", "ip"};
  auto in_ns = [&](std::vector<std::string> args) {
    std::vector<std::string> all = in_netns;
    all.insert(all.end(), args.begin(), args.end());
    return command(all);
  };
  REQUIRE(command({"ip", "link", "add", names.host_if, "type", "veth", "peer", "name", names.peer_if, "netns", pid}));
  REQUIRE(command({"ip", "addr", "add", names.host_ip + "/24", "dev", names.host_if}));
  REQUIRE(command({"ip", "link", "set", names.host_if, "up"}));
  REQUIRE(in_ns({"addr", "add", names.container_ip + "/24", "dev", names.peer_if}));
  REQUIRE(in_ns({"link", "set", names.peer_if, "up"}));
  REQUIRE(in_ns({"link", "set", "lo", "up"}));
  REQUIRE(server.start_listening());
  REQUIRE(fetch(names.container_ip, kContainerPort) == "hello");  // the link works, without NAT

  ScratchTable scratch(names.table);
  net::NatTable& table = scratch.table;

  table.add_network({names.network, names.subnet, names.host_if});
  CHECK(sys::read_file("/proc/sys/net/ipv4/ip_forward") == "1\n");
  CHECK(sys::read_file("/proc/sys/net/ipv4/conf/" + names.host_if + "/route_localnet") == "1\n");
  CHECK(table.rules().size() == 6);
  table.add_network({names.network, names.subnet, names.host_if});  // again: replaced, not doubled
  CHECK(table.rules().size() == 6);

  // -p 80: a free host port on every address.
  net::PublishedPorts everywhere = table.publish("ctr-all-" + names.pid, names.container_ip, net::parse_port_spec("80"));
  REQUIRE(everywhere.forwards().size() == 1);
  uint16_t port = everywhere.forwards()[0].host_port;
  INFO("host port " << port);
  CHECK(port != 0);
  CHECK(table.forwards() == std::vector<net::PortForward>{{"0.0.0.0", port, net::Protocol::tcp, names.container_ip,
                                                             kContainerPort, "ctr-all-" + names.pid}});
  CHECK(fetch("127.0.0.1", port) == "hello");
  CHECK(fetch(names.host_ip, port) == "hello");
  // Hairpin: the container reaches its own published port through its gateway (forwarded
  // back into the link it came from, masqueraded so that the answer goes through the host).
  CHECK(fetch_in_netns(server.pid(), names.host_ip, port) == "hello");

  // -p 127.0.0.1::80: on the loopback only.
  net::PublishedPorts loopback =
      table.publish("ctr-lo-" + names.pid, names.container_ip, net::parse_port_spec("127.0.0.1::80"));
  uint16_t lo_port = loopback.forwards().at(0).host_port;
  CHECK(fetch("127.0.0.1", lo_port) == "hello");
  CHECK(fetch(names.host_ip, lo_port) == std::nullopt);

  // Removed by owner: new connections find nothing listening on the host.
  CHECK(table.remove_rules_of("ctr-all-" + names.pid) == 1);
  everywhere.release();
  CHECK(fetch("127.0.0.1", port) == std::nullopt);
  CHECK(fetch(names.host_ip, port) == std::nullopt);
  CHECK(fetch("127.0.0.1", lo_port) == "hello");  // the other owner's rule is untouched
  loopback.remove();
  CHECK(fetch("127.0.0.1", lo_port) == std::nullopt);
  CHECK_FALSE(has_owner(table, "ctr-lo-" + names.pid));

  // The network's rules are the last: then the table can go.
  CHECK_FALSE(table.delete_if_unused());
  CHECK(table.remove_rules_of(names.network) == 6);
  CHECK(table.delete_if_unused());
  CHECK_FALSE(table.exists());

  // The namespace dies with its only process, and the veth pair with the namespace.
  server.stop();
  for (int i = 0; i < 50 && link_exists(names.host_if); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (link_exists(names.host_if)) command({"ip", "link", "del", names.host_if});
  CHECK_FALSE(link_exists(names.host_if));
  CHECK_FALSE(netns_in_use(netns));
}

TEST_CASE("a host port already in use is refused and nothing is added", "[nat][root]") {
  test::NoLeaks no_leaks;
  Names names;
  ScratchTable scratch(names.table);
  net::NatTable& table = scratch.table;

  // Held by a socket of the host: refused before the table is even created.
  UniqueFd held(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in any = address("0.0.0.0", 0);
  REQUIRE(bind(held.get(), reinterpret_cast<sockaddr*>(&any), sizeof any) == 0);
  REQUIRE(listen(held.get(), 1) == 0);
  socklen_t len = sizeof any;
  REQUIRE(getsockname(held.get(), reinterpret_cast<sockaddr*>(&any), &len) == 0);
  std::string held_port = std::to_string(ntohs(any.sin_port));
  CHECK_THROWS_WITH(table.publish("ctr-a", names.container_ip, net::parse_port_spec(held_port + ":80")),
                    "Bind for 0.0.0.0:" + held_port + " failed: port is already allocated");
  CHECK_FALSE(table.exists());

  // Published by another owner: refused from the table's own rules, on any overlapping address.
  uint16_t free_port = net::pick_free_host_port("0.0.0.0", net::Protocol::tcp);
  std::string p = std::to_string(free_port);
  net::PublishedPorts first = table.publish("ctr-a", names.container_ip, net::parse_port_spec(p + ":80"));
  REQUIRE(table.rules().size() == 1);
  CHECK_THROWS_WITH(table.publish("ctr-b", names.container_ip, net::parse_port_spec("127.0.0.1:" + p + ":81")),
                    "Bind for 127.0.0.1:" + p + " failed: port is already allocated");
  // One bad mapping in a request: none of the request's mappings is added.
  CHECK_THROWS_WITH(table.publish("ctr-b", names.container_ip,
                                  {net::parse_port_spec("82")[0], net::parse_port_spec(p + ":83")[0]}),
                    "Bind for 0.0.0.0:" + p + " failed: port is already allocated");
  CHECK(table.rules().size() == 1);
  // Two mappings of one request on the same host port.
  uint16_t other = net::pick_free_host_port("0.0.0.0", net::Protocol::tcp);
  std::string o = std::to_string(other);
  CHECK_THROWS_WITH(table.publish("ctr-b", names.container_ip,
                                  {net::parse_port_spec(o + ":84")[0], net::parse_port_spec(o + ":85")[0]}),
                    "Bind for 0.0.0.0:" + o + " failed: port is already allocated");
  // The same port in UDP is another port.
  net::PublishedPorts udp = table.publish("ctr-b", names.container_ip, net::parse_port_spec(p + ":53/udp"));
  CHECK(owners(table) == std::set<std::string>{"ctr-a", "ctr-b"});
  CHECK(table.rules().size() == 2);
}

TEST_CASE("published ports go with their guard; sweep keeps live owners; ensure is idempotent", "[nat][root]") {
  test::NoLeaks no_leaks;
  Names names;
  ScratchTable scratch(names.table);
  net::NatTable& table = scratch.table;
  auto publish = [&](const std::string& owner) {
    return table.publish(owner, names.container_ip, net::parse_port_spec("80"));
  };

  table.ensure();
  table.ensure();
  std::string listing = table.listing();
  INFO(listing);
  size_t jumps = 0;
  for (size_t at = listing.find("jump published"); at != std::string::npos; at = listing.find("jump published", at + 1))
    ++jumps;
  CHECK(jumps == 2);  // one in prerouting, one in output
  CHECK(table.rules().empty());

  {
    net::PublishedPorts guarded = publish("guarded");
    CHECK(has_owner(table, "guarded"));
    net::PublishedPorts moved = std::move(guarded);  // the rules follow the guard
    CHECK(has_owner(table, "guarded"));
  }
  CHECK_FALSE(has_owner(table, "guarded"));

  publish("a").release();
  publish("b").release();
  publish("c").release();
  CHECK(owners(table) == std::set<std::string>{"a", "b", "c"});
  CHECK(table.sweep({"b", "not-there"}) == 2);
  CHECK(owners(table) == std::set<std::string>{"b"});
  CHECK_FALSE(table.delete_if_unused());
  CHECK(table.remove_rules_of("b") == 1);
  CHECK(table.remove_rules_of("b") == 0);
  CHECK(table.delete_if_unused());
  CHECK_FALSE(table.exists());
  CHECK(table.rules().empty());
  CHECK_FALSE(table.delete_if_unused());
}
