/**
 * @file port_spec.hpp
 * @brief Docker's `-p` syntax (`[ip:][hostPort[-end]:]containerPort[-end][/tcp|udp]`) and `-P`'s
 *        ports from an image's ExposedPorts, turned into one PortMapping per container port.
 *
 * Examples, as `docker run -p` reads them:
 *  - `8080:80`            host port 8080 on every host address to container port 80/tcp
 *  - `127.0.0.1:8080:80`  the same, on the host's loopback only
 *  - `80`                 container port 80, on a free host port the kernel picks
 *  - `127.0.0.1::80`      the same, on the loopback only
 *  - `8080:80/udp`        UDP instead of TCP
 *  - `8000-8002:80-82`    three mappings, 8000->80, 8001->81, 8002->82 (equal lengths)
 *  - `8000-8010:80`       container port 80 on the first free host port of 8000..8010
 *
 * Parsing checks the syntax only; whether a host port is free is host_port.hpp's question.
 * Host addresses are IPv4: boxlab's NAT table is IPv4 only.
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace boxlab::net {

/// The transport protocol of a published port.
enum class Protocol { tcp, udp };

/// "tcp" or "udp", as Docker and nft spell them.
std::string_view to_string(Protocol protocol);

/// The host address that means "every address of the host" (Docker's default).
inline constexpr const char* kAnyHostIp = "0.0.0.0";

/**
 * @brief One container port to publish on the host, before a host port has been chosen.
 */
struct PortMapping {
  std::string host_ip = kAnyHostIp;  ///< the host address to listen on; kAnyHostIp for all
  /// The host port; 0 asks for any free (ephemeral) port.
  uint16_t host_port = 0;
  /// With a value above host_port: take the first free port of host_port..host_port_last
  /// (Docker's `8000-8010:80`). Otherwise equal to host_port.
  uint16_t host_port_last = 0;
  uint16_t container_port = 0;        ///< the port inside the container
  Protocol protocol = Protocol::tcp;  ///< tcp or udp

  /// Docker's short form: "0.0.0.0:8080->80/tcp", "0.0.0.0:0->80/tcp" (port to be picked),
  /// "0.0.0.0:8000-8010->80/tcp".
  std::string describe() const;
  /// Every field equal.
  bool operator==(const PortMapping&) const = default;
};

/**
 * @brief Parse one `-p` value into its mappings, one per container port.
 *
 * Throws a boxlab::Error with one line, `invalid port spec "<spec>": <reason>`, for: a port
 * outside 1..65535 or not a number, an empty part (`80:`, `:80`), a protocol other than tcp or
 * udp, host and container ranges of different lengths, a backwards range, an IPv6 or malformed
 * host address.
 */
std::vector<PortMapping> parse_port_spec(std::string_view spec);

/**
 * @brief `-P`: every port an image exposes, on a free host port of every host address.
 *
 * @p exposed_ports are the keys of the image config's ExposedPorts ("80/tcp", "53/udp",
 * "8000-8002/tcp"; a key without a protocol means tcp). Throws like parse_port_spec, with
 * `invalid exposed port "<key>": <reason>`.
 */
std::vector<PortMapping> exposed_port_mappings(const std::vector<std::string>& exposed_ports);

}  // namespace boxlab::net
