/**
 * @file libnl.hpp
 * @brief Private to core/src/net: owners for libnl's reference-counted objects, address
 * conversion, and walking a cache.
 *
 * libnl hands out objects (links, addresses, routes, caches, nl_addr) that the caller must
 * release with a type-specific put/free call; a unique_ptr with that call as deleter makes an
 * exception on any later line release them too.
 */
#pragma once

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include <arpa/inet.h>

#include <functional>
#include <memory>
#include <string>

#include "boxlab/net/netlink.hpp"
#include "boxlab/net/subnet.hpp"
#include "boxlab/sys/error.hpp"

namespace boxlab::net::libnl {

/// A deleter that calls libnl's release function @p Put.
template <typename T, void (*Put)(T*)>
struct Deleter {
  void operator()(T* object) const noexcept { Put(object); }
};

using Link = std::unique_ptr<rtnl_link, Deleter<rtnl_link, rtnl_link_put>>;       ///< an rtnl_link
using Addr = std::unique_ptr<rtnl_addr, Deleter<rtnl_addr, rtnl_addr_put>>;       ///< an rtnl_addr
using Route = std::unique_ptr<rtnl_route, Deleter<rtnl_route, rtnl_route_put>>;   ///< an rtnl_route
using Cache = std::unique_ptr<nl_cache, Deleter<nl_cache, nl_cache_free>>;        ///< an nl_cache
using NlAddr = std::unique_ptr<nl_addr, Deleter<nl_addr, nl_addr_put>>;           ///< an nl_addr

/// A new, empty rtnl_link, used as a template of changes ("set these attributes").
inline Link alloc_link() {
  Link link(rtnl_link_alloc());
  if (!link) throw Error(ENOMEM, "netlink: allocate a link object");
  return link;
}

/// @p address/@p prefix as libnl's nl_addr (network byte order inside).
inline NlAddr to_nl_addr(Ipv4Address address, int prefix) {
  in_addr raw{htonl(address.value)};
  NlAddr out(nl_addr_build(AF_INET, &raw, sizeof raw));
  if (!out) throw Error(ENOMEM, "netlink: allocate an address");
  nl_addr_set_prefixlen(out.get(), prefix);
  return out;
}

/// The IPv4 address held by @p addr (which must be AF_INET, 4 bytes).
inline Ipv4Address from_nl_addr(const nl_addr* addr) {
  in_addr raw{};
  if (!addr || nl_addr_get_family(addr) != AF_INET || nl_addr_get_len(addr) != sizeof raw) return {};
  raw = *static_cast<const in_addr*>(nl_addr_get_binary_addr(addr));
  return {ntohl(raw.s_addr)};
}

/**
 * @brief Fill a cache with @p fill (e.g. rtnl_link_alloc_cache), retrying an interrupted dump.
 *
 * A dump is sent in several messages; if the table changes in between (another program adds a
 * link), the kernel marks the dump NLM_F_DUMP_INTR (netlink(7)) and libnl fails it with
 * NLE_DUMP_INTR rather than return an inconsistent list. Asking again is the documented answer.
 */
inline Cache fill_cache(const std::function<int(nl_cache**)>& fill, const std::string& what) {
  for (int attempt = 0;; ++attempt) {
    nl_cache* raw = nullptr;
    int result = fill(&raw);
    if (result >= 0) return Cache(raw);
    if (-result != NLE_DUMP_INTR || attempt == 9) throw_netlink(result, what);
  }
}

/// Call @p visit for every object of @p cache, as a @p T* (rtnl_link, rtnl_addr, rtnl_route).
template <typename T, typename Fn>
void for_each(nl_cache* cache, Fn&& visit) {
  for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) visit(reinterpret_cast<T*>(o));
}

}  // namespace boxlab::net::libnl
