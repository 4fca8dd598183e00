// Lab 08 checks, networks: a container on the default bridge gets an address, a veth on the
// bridge and a default route; --network none has only lo; containers of a user network reach
// each other by name and alias, and the default bridge does not resolve names; a port published
// with -p answers on the host's 127.0.0.1; after rm, no veth, address or nft rule is left; bad
// specs, unknown networks, overlapping subnets and networks in use are refused in one line.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "../src/context.hpp"
#include "../src/diagnose.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "bad_input.hpp"
#include "checks.hpp"
#include "image_probe.hpp"
#include "rootfs.hpp"

namespace checker {

namespace {

using namespace std::chrono_literals;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string ip_of(Context& ctx, const std::string& name) {
  return inspect(ctx, name)["NetworkSettings"].value("IPAddress", "");
}

// The host-side veth of container @p id: "bxl" + the id's first 11 characters (net/veth.hpp).
std::string host_veth(const std::string& id) { return "bxl" + id.substr(0, 11); }

// GET / from 127.0.0.1:PORT, the way curl would; "" when nothing answers.
std::string http_get_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string request = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) reply.append(buf, n);
    }
  }
  ::close(fd);
  return reply;
}

// A free TCP port on the host, for -p.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

void default_bridge(Context& ctx) {
  load_probe_image(ctx);
  LabRun run = ctx.run({"run", "-d", "--name", "net1", kImage, "/bin/sleep", "60"});
  expect_exit(run, 0, "run -d --name net1 (default network: bridge)");
  std::string id = trim(run.out);
  std::string ip = ip_of(ctx, "net1");
  LabRun inside = ctx.run({"exec", "net1", "/bin/sh", "-c", "ip -4 -o addr show eth0; ip route"});
  std::string master;
  try {
    master = boxlab::sys::readlink("/sys/class/net/" + host_veth(id) + "/master");
  } catch (const boxlab::Error&) {
  }
  ctx.run({"rm", "-f", "net1"});
  require(!ip.empty(), {"inspect's NetworkSettings.IPAddress", "empty", "allocate an address from the network's IPAM"});
  expect_exit(inside, 0, "exec net1 ip addr; ip route");
  require(inside.out.find(ip + "/") != std::string::npos && inside.out.find("default via") != std::string::npos,
          {"eth0 with " + ip + " and a default route inside", inside.out,
           "move the veth's peer into /proc/PID/ns/net, name it eth0, give it the address and a route via the gateway"});
  require(master.find("/boxlab") != std::string::npos,
          {"the host end " + host_veth(id) + " attached to the network's bridge", master.empty() ? "no such link" : master,
           "attach the host end of the veth to the bridge (its master)"});
  LabRun none = ctx.run({"run", "--rm", "--network", "none", kImage, "/bin/ls", "/sys/class/net"});
  expect_exit(none, 0, "run --network none ls /sys/class/net");
  require(trim(none.out) == "lo", {"only lo with --network none", none.out, "--network none: a network namespace with nothing but lo"});
}

void resolves_by_name(Context& ctx) {
  load_probe_image(ctx);
  expect_exit(ctx.run({"network", "create", "chknet"}), 0, "network create chknet");
  expect_exit(ctx.run({"run", "-d", "--network", "chknet", "--name", "web", "--network-alias", "www", kImage, "/bin/sleep", "60"}),
              0, "run -d --network chknet --name web --network-alias www");
  LabRun user = ctx.run({"run", "--rm", "--network", "chknet", kImage, "/bin/sh", "-c", "ping -c1 -W2 web && ping -c1 -W2 www"});
  expect_exit(ctx.run({"run", "-d", "--name", "plain", kImage, "/bin/sleep", "60"}), 0, "run -d --name plain (default bridge)");
  LabRun plain = ctx.run({"run", "--rm", kImage, "/bin/sh", "-c", "ping -c1 -W1 plain"});
  ctx.run({"rm", "-f", "web", "plain"});
  ctx.run({"network", "rm", "chknet"});
  require(user.code() == 0, {"a container of chknet to reach `web` and `www` by name", describe_run(user),
                             "on a user network, write every peer's name and aliases into /etc/hosts"});
  require(plain.code() != 0, {"no name resolution on the default bridge (as Docker)", "`ping plain` worked",
                              "only user networks resolve names"});
}

void publish_loopback(Context& ctx) {
  load_probe_image(ctx);
  int port = free_port();
  expect_exit(ctx.run({"run", "-d", "--name", "httpd", "-p", std::to_string(port) + ":80", kImage, "/bin/sh", "-c",
                       "mkdir -p /www && echo hello-boxlab > /www/index.html && exec httpd -f -p 80 -h /www"}),
              0, "run -d -p PORT:80 ... httpd");
  std::string reply;
  for (int i = 0; i < 30 && reply.find("hello-boxlab") == std::string::npos; ++i) {
    reply = http_get_loopback(port);
    if (reply.empty()) std::this_thread::sleep_for(100ms);
  }
  Json settings = inspect(ctx, "httpd")["NetworkSettings"];
  ctx.run({"rm", "-f", "httpd"});
  std::string after = http_get_loopback(port);
  require(reply.find("hello-boxlab") != std::string::npos,
          {"GET http://127.0.0.1:" + std::to_string(port) + "/ to reach busybox httpd", reply.empty() ? "no answer" : reply,
           "DNAT the host port to the container (also for 127.0.0.1: route_localnet and a masquerade)"});
  require(settings["Ports"].dump().find(std::to_string(port)) != std::string::npos,
          {"inspect's NetworkSettings.Ports to show the port", settings.dump(), "record the published ports"});
  require(after.empty(), {"nothing on the port after rm", after, "remove the container's DNAT rules when it ends"});
}

void nothing_left(Context& ctx) {
  load_probe_image(ctx);
  LabRun run = ctx.run({"run", "-d", "-p", std::to_string(free_port()) + ":80", kImage, "/bin/sleep", "60"});
  expect_exit(run, 0, "run -d -p PORT:80");
  std::string id = trim(run.out);
  ToolRun rules_during = run_tool(ctx, {"nft", "list", "table", "ip", "boxlab"});
  expect_exit(ctx.run({"rm", "-f", id.substr(0, 12)}), 0, "rm -f");
  ToolRun rules_after = run_tool(ctx, {"nft", "list", "table", "ip", "boxlab"});
  require(rules_during.out.find(id) != std::string::npos,
          {"a rule owned by the container (comment " + id.substr(0, 12) + "…) while it runs", rules_during.out, "publish with nft DNAT"});
  require(rules_after.out.find(id) == std::string::npos, {"no rule of the container after rm", rules_after.out,
                                                          "remove the container's rules when it ends"});
  require(!boxlab::sys::exists("/sys/class/net/" + host_veth(id)),
          {"no veth " + host_veth(id) + " after rm", "it is still there", "the veth dies with the namespace; delete what is left"});
}

void bad_input(Context& ctx) {
  load_probe_image(ctx);
  expect_exit(ctx.run({"network", "create", "--subnet", "10.213.0.0/24", "chkbad"}), 0, "network create --subnet 10.213.0.0/24");
  expect_exit(ctx.run({"create", "--network", "chkbad", "--name", "user", kImage}), 0, "create --network chkbad");
  int port = free_port();
  expect_exit(ctx.run({"run", "-d", "--name", "holder", "-p", std::to_string(port) + ":80", kImage, "/bin/sleep", "60"}), 0,
              "run -d -p PORT:80 (holds the port)");
  std::vector<BadInput> cases{
      {{"run", "-p", "70000:80", kImage}, 125, "70000"},
      {{"run", "-p", "a:b", kImage}, 125, "a:b"},
      {{"run", "--network", "nope", kImage}, 125, "not found"},
      {{"network", "create", "--subnet", "10.213.0.128/25", "chkover"}, 1, "overlaps"},
      {{"network", "rm", "chkbad"}, 1, "active endpoints"},
      {{"run", "-p", std::to_string(port) + ":80", kImage}, 125, "port is already allocated"},
  };
  std::vector<std::string> failures = wrongly_refused(ctx, cases);
  ctx.run({"rm", "-f", "user", "holder"});
  ctx.run({"network", "rm", "chkbad"});
  require(failures.empty(), {"each bad input refused: one line, docker's exit code", join(failures),
                             "check specs, networks and subnets before creating anything"});
}

}  // namespace

std::vector<Check> lab08_checks() {
  using std::chrono::milliseconds;
  return {
      {"default_bridge", 8, "the default bridge: an address, eth0 with a default route, a veth on the bridge; none: only lo", 3, "", milliseconds(20000), default_bridge},
      {"resolves_by_name", 8, "a user network resolves names and aliases; the default bridge does not", 3, "default_bridge", milliseconds(30000), resolves_by_name},
      {"publish_loopback", 8, "-p PORT:80: busybox httpd answers on the host's 127.0.0.1:PORT", 3, "default_bridge", milliseconds(30000), publish_loopback},
      {"nothing_left", 8, "after rm: no nft rule and no veth of the container", 2, "default_bridge", milliseconds(20000), nothing_left},
      {"bad_input", 8, "bad -p, a port in use, an unknown network, an overlapping subnet, rm of a network in use: one line each", 2, "default_bridge", milliseconds(30000), bad_input},
  };
}

}  // namespace checker
