/**
 * @file host_port.hpp
 * @brief Host ports for publishing: is one free, and which free one the kernel would give.
 *
 * Both questions are asked the way Docker's port allocator ends up asking them: by binding a
 * socket to the host address and port and seeing what the kernel says.
 */
#pragma once

#include <cstdint>
#include <string>

#include "boxlab/net/port_spec.hpp"
#include "boxlab/sys/error.hpp"

namespace boxlab::net {

/**
 * @brief Docker's error for a host port that is taken, with errno EADDRINUSE:
 * "Bind for 0.0.0.0:8080 failed: port is already allocated".
 */
Error port_already_allocated(const std::string& host_ip, uint16_t port);

/**
 * @brief Throw unless @p port can be bound on @p host_ip (kAnyHostIp: every address) for
 * @p protocol right now.
 *
 * A port in use throws port_already_allocated(); any other failure (an address the host does
 * not have: EADDRNOTAVAIL) throws "Bind for IP:PORT failed: <strerror>". The socket is closed
 * again at once: this is a check, not a reservation, so a later bind by someone else still wins.
 */
void check_host_port_free(const std::string& host_ip, uint16_t port, Protocol protocol);

/**
 * @brief A port from the kernel's ephemeral range (net.ipv4.ip_local_port_range) that is free
 * on @p host_ip for @p protocol: bind port 0, read the port back with getsockname(2).
 */
uint16_t pick_free_host_port(const std::string& host_ip, Protocol protocol);

}  // namespace boxlab::net
