/**
 * @file netlink.hpp
 * @brief A route-netlink socket (libnl-route-3), its errors, and opening one inside another
 * network namespace.
 *
 * Route netlink (rtnetlink(7)) is how a process asks the kernel for links, addresses and routes,
 * and how `ip` changes them. Every request acts on the network namespace the socket was created
 * in, not on the namespace of the process that sends it, so a socket opened inside a container's
 * namespace configures the container's eth0 while the runtime itself stays on the host.
 */
#pragma once

#include <string>

#include "boxlab/sys/unique_fd.hpp"

struct nl_sock;

namespace boxlab::net {

/**
 * @brief Throw a boxlab::Error for libnl error code @p nl_error (negative or positive):
 * "@p what: <nl_geterror text>".
 *
 * libnl turns the kernel's errno into its own codes (NLE_*); the common ones are turned back,
 * so errno_value() is EEXIST, ENOENT, ENODEV, EPERM, EBUSY or EINVAL where that is what the
 * kernel said, and 0 otherwise.
 */
[[noreturn]] void throw_netlink(int nl_error, const std::string& what);

/// Return @p result if it is not negative; otherwise throw_netlink(@p result, @p what).
int check_netlink(int result, const std::string& what);

/**
 * @brief An open NETLINK_ROUTE socket (libnl's nl_sock), bound to the network namespace of the
 * calling thread at the time it was created. Move-only; freed (and closed) on destruction.
 */
class NetlinkSocket {
 public:
  /// Open and connect a route-netlink socket in the caller's current network namespace.
  NetlinkSocket();
  /// Open one inside the network namespace @p netns_fd refers to (e.g. an open
  /// /proc/PID/ns/net), by entering it for the moment of socket(2); see NetnsScope.
  static NetlinkSocket in_netns(int netns_fd);

  /// Take over @p other's socket; @p other then holds none.
  NetlinkSocket(NetlinkSocket&& other) noexcept;
  /// Free ours, then take over @p other's socket.
  NetlinkSocket& operator=(NetlinkSocket&& other) noexcept;
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;
  ~NetlinkSocket();

  /// libnl's socket, still owned by this object.
  nl_sock* get() const noexcept { return sock_; }

 private:
  nl_sock* sock_ = nullptr;
};

/**
 * @brief Runs the scope with the calling thread in another network namespace, then returns it
 * to the one it was in.
 *
 * The constructor saves the thread's namespace (/proc/thread-self/ns/net) and joins
 * @p netns_fd with setns(2); the destructor joins the saved one again. Sockets created inside
 * the scope stay in the entered namespace after it ends. setns(2) changes only the calling
 * thread, so the scope must begin and end on one thread, and no other thread should expect the
 * change; boxlab's runtime is single-threaded here.
 */
class NetnsScope {
 public:
  /// Enter the network namespace @p netns_fd refers to (needs CAP_SYS_ADMIN in it).
  explicit NetnsScope(int netns_fd);
  NetnsScope(const NetnsScope&) = delete;
  NetnsScope& operator=(const NetnsScope&) = delete;
  /// Return to the saved namespace. If that fails the process stops (abort): carrying on in
  /// the wrong namespace would configure the container's network as if it were the host's.
  ~NetnsScope();

 private:
  sys::UniqueFd original_;
};

}  // namespace boxlab::net
