// Port specs: how `docker run -p` and `-P` say which container ports the host should publish.
//
// A container on a bridge network has its own address, reachable from the host but not from
// other machines. Publishing a port makes a host port lead to a container port (nat.cpp writes
// the DNAT rule). The `-p` value packs up to four things into one string, from the right:
//
//     [ip:][hostPort[-hostPortEnd]:]containerPort[-containerPortEnd][/tcp|udp]
//
// The protocol comes off first (after the last '/'; tcp by default), then the string splits on
// ':' into 1 to 3 parts: the container port(s) always last, the host port(s) before them, the
// host address first. A missing host port means "any free port" (the kernel's ephemeral
// range, see host_port.cpp); an empty one between two colons (`127.0.0.1::80`) means the same
// on one address. A range maps port to port (`8000-8002:80-82`) and so must be of the same
// length on both sides, except that a host range with ONE container port is a pool to take
// one free port from (`8000-8010:80`), as go-connections' nat.ParsePortSpec allows.
//
// Docker itself is more lenient (`:80` and `80/` are accepted there); boxlab refuses both,
// since each is more likely a typo than a wish. Every error is one line naming the spec and
// what is wrong with it.
//
// `-P` publishes every port in the image's ExposedPorts ("80/tcp") on a free host port.
//
// Interface: to_string(Protocol), PortMapping::describe, parse_port_spec, exposed_port_mappings
#include "boxlab/net/port_spec.hpp"

#include <arpa/inet.h>

#include <utility>

#include "boxlab/sys/error.hpp"

namespace boxlab::net {
namespace {

// A failure of one spec: `invalid port spec "8080:": no container port after ':'`.
struct BadSpec {
  std::string reason;
};

struct PortRange {
  uint16_t first = 0;
  uint16_t last = 0;
  size_t size() const { return size_t(last) - first + 1; }
  std::string text() const {
    return first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
  }
};

uint16_t parse_port(std::string_view text, const std::string& what) {
  if (text.empty()) throw BadSpec{"empty " + what};
  for (char c : text)
    if (c < '0' || c > '9') throw BadSpec{what + " \"" + std::string(text) + "\" is not a number"};
  // More than 5 digits cannot be a port; checking the length first also avoids overflow.
  unsigned long value = text.size() > 5 ? 0 : std::stoul(std::string(text));
  if (value < 1 || value > 65535)
    throw BadSpec{what + " " + std::string(text) + " is out of range (1-65535)"};
  return static_cast<uint16_t>(value);
}

PortRange parse_range(std::string_view text, const std::string& what) {
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) {
    uint16_t port = parse_port(text, what);
    return {port, port};
  }
  PortRange range{parse_port(text.substr(0, dash), what), parse_port(text.substr(dash + 1), what)};
  if (range.last < range.first)
    throw BadSpec{what + " range " + std::string(text) + " ends before it starts"};
  return range;
}

// Splits "80-82/udp" into the ports and the protocol; a missing "/proto" means tcp.
std::pair<std::string_view, Protocol> split_protocol(std::string_view spec) {
  size_t slash = spec.rfind('/');
  if (slash == std::string_view::npos) return {spec, Protocol::tcp};
  std::string_view name = spec.substr(slash + 1);
  if (name.empty()) throw BadSpec{"no protocol after '/' (tcp or udp)"};
  Protocol protocol;
  if (name == "tcp") {
    protocol = Protocol::tcp;
  } else if (name == "udp") {
    protocol = Protocol::udp;
  } else {
    throw BadSpec{"protocol \"" + std::string(name) + "\" is not tcp or udp"};
  }
  return {spec.substr(0, slash), protocol};
}

std::string check_ipv4(std::string_view text) {
  if (text.empty()) throw BadSpec{"empty host address before ':'"};
  if (text.front() == '[' || text.find(':') != std::string_view::npos)
    throw BadSpec{"IPv6 host addresses are not supported (boxlab publishes on IPv4 only)"};
  in_addr addr{};
  std::string ip(text);
  if (inet_pton(AF_INET, ip.c_str(), &addr) != 1)
    throw BadSpec{"host address \"" + ip + "\" is not an IPv4 address"};
  return ip;
}

std::vector<PortMapping> parse(std::string_view spec) {
  auto [ports, protocol] = split_protocol(spec);
  if (ports.empty()) throw BadSpec{"no container port"};
  if (ports.front() == '[') check_ipv4(ports);  // throws: IPv6

  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t colon = ports.find(':', start);
    parts.push_back(ports.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() > 3) throw BadSpec{"too many ':' (the form is [ip:][hostPort:]containerPort)"};

  std::string host_ip = kAnyHostIp;
  std::string_view host_ports;  // empty: any free port
  std::string_view container_ports = parts.back();
  if (parts.size() == 3) {
    host_ip = check_ipv4(parts[0]);
    host_ports = parts[1];
  } else if (parts.size() == 2) {
    if (parts[0].empty())
      throw BadSpec{"empty host port before ':' (write \"" + std::string(container_ports) +
                    "\" for a free host port)"};
    host_ports = parts[0];
  }
  if (container_ports.empty()) throw BadSpec{"no container port after ':'"};

  // Left to right, so that the first thing wrong in the spec is the one reported.
  PortRange host = host_ports.empty() ? PortRange{} : parse_range(host_ports, "host port");
  PortRange container = parse_range(container_ports, "container port");
  std::vector<PortMapping> mappings;
  if (host_ports.empty()) {
    for (unsigned port = container.first; port <= container.last; ++port)
      mappings.push_back({host_ip, 0, 0, static_cast<uint16_t>(port), protocol});
    return mappings;
  }
  if (host.size() != container.size()) {
    if (container.size() != 1)
      throw BadSpec{"host port range " + host.text() + " and container port range " + container.text() +
                    " differ in length"};
    // One container port, a pool of host ports: the first free one will be taken.
    mappings.push_back({host_ip, host.first, host.last, container.first, protocol});
    return mappings;
  }
  for (size_t i = 0; i < container.size(); ++i) {
    auto host_port = static_cast<uint16_t>(host.first + i);
    mappings.push_back({host_ip, host_port, host_port, static_cast<uint16_t>(container.first + i), protocol});
  }
  return mappings;
}

}  // namespace

std::string_view to_string(Protocol protocol) { return protocol == Protocol::udp ? "udp" : "tcp"; }

std::string PortMapping::describe() const {
  std::string host = std::to_string(host_port);
  if (host_port_last > host_port) host += "-" + std::to_string(host_port_last);
  return host_ip + ":" + host + "->" + std::to_string(container_port) + "/" + std::string(to_string(protocol));
}

std::vector<PortMapping> parse_port_spec(std::string_view spec) {
  try {
    return parse(spec);
  } catch (const BadSpec& bad) {
    throw Error("invalid port spec \"" + std::string(spec) + "\": " + bad.reason);
  }
}

std::vector<PortMapping> exposed_port_mappings(const std::vector<std::string>& exposed_ports) {
  std::vector<PortMapping> mappings;
  for (const auto& key : exposed_ports) {
    try {
      auto [ports, protocol] = split_protocol(key);
      if (ports.find(':') != std::string_view::npos)
        throw BadSpec{"an exposed port names a container port only, not a host port"};
      PortRange range = parse_range(ports, "container port");
      for (unsigned port = range.first; port <= range.last; ++port)
        mappings.push_back({kAnyHostIp, 0, 0, static_cast<uint16_t>(port), protocol});
    } catch (const BadSpec& bad) {
      throw Error("invalid exposed port \"" + key + "\": " + bad.reason);
    }
  }
  return mappings;
}

}  // namespace boxlab::net
