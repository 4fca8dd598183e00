/**
 * @file nat.hpp
 * @brief boxlab's own nftables table for bridge networks: masquerade for containers going out,
 *        DNAT for published ports coming in, every rule labelled with its owner.
 *
 * The table (family `ip`, name "boxlab" unless told otherwise) looks like this once a network
 * "net1" (172.18.0.0/16 on bridge bxl-net1) and a container "c1" publishing 8080->80 exist:
 *
 *     table ip boxlab {
 *       chain published {                   # DNAT, one rule per published port, owner: container
 *         tcp dport 8080 dnat to 172.18.0.2:80 comment "c1"
 *       }
 *       chain prerouting { type nat hook prerouting priority dstnat; policy accept;
 *         fib daddr type local jump published comment "boxlab"    # from other machines/containers
 *       }
 *       chain output { type nat hook output priority -100; policy accept;
 *         fib daddr type local jump published comment "boxlab"    # from the host itself
 *       }
 *       chain postrouting { type nat hook postrouting priority srcnat; policy accept;
 *         ip saddr 172.18.0.0/16 oifname != "bxl-net1" masquerade comment "net1"
 *         ip saddr 172.18.0.0/16 oifname "bxl-net1" ct status dnat masquerade comment "net1"
 *         ip saddr 127.0.0.0/8 oifname "bxl-net1" masquerade comment "net1"
 *       }
 *       chain forward { type filter hook forward priority filter; policy accept;
 *         iifname "bxl-net1" accept comment "net1"
 *         oifname "bxl-net1" accept comment "net1"
 *       }
 *       chain guard { type filter hook prerouting priority raw; policy accept;
 *         iifname "bxl-net1" ip daddr 127.0.0.0/8 drop comment "net1"
 *       }
 *     }
 *
 * Rules are found again by their comment (the owner) in nft's JSON listing and deleted by
 * handle, so one container's or network's rules come and go without touching anyone else's.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "boxlab/net/nftables.hpp"
#include "boxlab/net/port_spec.hpp"
#include "boxlab/sys/unique_fd.hpp"

namespace boxlab::net {

/// The table boxlab uses when no other name is given (ARCHITECTURE.md: name it "boxlab").
inline constexpr const char* kDefaultNatTable = "boxlab";

/// A bridge network, as the NAT table needs to know it.
struct NatNetwork {
  std::string name;    ///< the network's name: the owner written on its rules
  std::string subnet;  ///< its IPv4 subnet, "172.18.0.0/16"
  std::string bridge;  ///< the host interface the subnet lives on, "boxlab0"
};

/// A published port with its host port chosen: what `docker port` shows.
struct PortForward {
  std::string host_ip = kAnyHostIp;  ///< the host address; kAnyHostIp for every address
  uint16_t host_port = 0;            ///< the host port
  Protocol protocol = Protocol::tcp;  ///< tcp or udp
  std::string container_ip;           ///< where the packets go
  uint16_t container_port = 0;        ///< the port there
  std::string owner;                  ///< whose rule it is (set in NatTable::forwards())

  /// Docker's short form for `docker ps`: "0.0.0.0:8080->80/tcp".
  std::string describe() const;
  /// Every field equal.
  bool operator==(const PortForward&) const = default;
};

/// One rule of the table that has an owner, as listed back from the kernel.
struct NatRule {
  std::string chain;  ///< the chain it is in ("published", "postrouting", ...)
  uint64_t handle = 0;  ///< nft's handle, what `delete rule` takes
  std::string owner;  ///< its comment: a container id or a network name
};

class PublishedPorts;

/**
 * @brief boxlab's nftables table: create it, add networks and published ports, remove them by
 * owner, sweep the rules of owners that are gone, delete the table when nothing is left.
 *
 * Every change is one nft transaction: it happens whole or not at all. Errors are
 * boxlab::Error with one line, "nft table NAME: STEP: nft's message". Owners, bridges and
 * addresses are checked before they are written into a command.
 */
class NatTable {
 public:
  /// The table @p name (family ip). Nothing is created until ensure() or an add.
  explicit NatTable(std::string name = kDefaultNatTable);

  /// The table's name.
  const std::string& name() const noexcept { return name_; }

  /// True if the table exists in the kernel.
  bool exists();

  /// Create the table and its chains if missing, and (re)write the two jump rules of the
  /// prerouting and output chains. Idempotent, and safe against a concurrent ensure().
  void ensure();

  /**
   * @brief Let @p network's containers out and its published ports in.
   *
   * Writes 1 to /proc/sys/net/ipv4/ip_forward (if it is not 1 already; never undone) and to
   * /proc/sys/net/ipv4/conf/BRIDGE/route_localnet (so the bridge must exist), then replaces
   * the network's rules: masquerade out of other interfaces, hairpin and localhost
   * masquerade into the bridge, forward accepts, and the guard against 127/8 from the bridge.
   */
  void add_network(const NatNetwork& network);

  /**
   * @brief Publish @p mappings of the container @p owner (at @p container_ip).
   *
   * Chooses the host ports (0: a free ephemeral port; a range: the first free one), refuses a
   * host port that any socket holds or that another rule of this table already publishes
   * ("Bind for 0.0.0.0:8080 failed: port is already allocated", EADDRINUSE), and only then
   * adds all the DNAT rules in one transaction. On any error, nothing has been added.
   * Returns a guard that removes the owner's rules unless released.
   */
  PublishedPorts publish(const std::string& owner, const std::string& container_ip,
                         const std::vector<PortMapping>& mappings);

  /// Every rule in the chains that hold owned rules (the jump rules are not listed).
  std::vector<NatRule> rules();

  /// Every published port, read back from the DNAT rules.
  std::vector<PortForward> forwards();

  /// Delete every rule whose owner is @p owner; returns how many. Network or container alike.
  size_t remove_rules_of(const std::string& owner);

  /// Delete the rules of every owner not in @p keep; returns how many. @p keep must hold
  /// every live container id AND every network name, or the networks' rules go too. What a
  /// `gc` after a SIGKILLed runtime calls (under the runtime's lock: a container that
  /// publishes between the listing and the delete would not be in @p keep).
  size_t sweep(const std::set<std::string>& keep);

  /// Delete the table if it exists and holds no owned rule; true if it was deleted now.
  /// (Listing and deleting are two steps: call it under lock().)
  bool delete_if_unused();

  /// Take the table's host-wide lock, flock(2) on /run/lock/boxlab-nft-NAME.lock, held until
  /// the returned fd closes. One table serves every state root on the host, while each root's
  /// own lock orders only its own containers: this one orders ensure() + add_network() in one
  /// root against remove_rules_of() + delete_if_unused() in another, which could otherwise
  /// delete the table between the other's two steps.
  sys::UniqueFd lock();

  /// Delete the table with everything in it, if it exists.
  void delete_table();

  /// The table as `nft list table ip NAME` prints it ("" if there is no table).
  std::string listing();

 private:
  // Runs one nft transaction; an error becomes one line, "nft table NAME: STEP: message".
  std::string run(const std::string& step, const std::string& commands, bool json_output = false);
  std::string list_json();
  void delete_rules(const std::vector<NatRule>& rules);

  std::string name_;
  Nftables nft_;
};

/**
 * @brief The guard of one container's published ports: its destructor removes every rule of
 * the owner from the table, unless release() was called (the container started and its
 * record now owns the rules; `rm` calls NatTable::remove_rules_of).
 *
 * The destructor never throws: a failure is printed as a warning.
 */
class PublishedPorts {
 public:
  PublishedPorts() = default;
  /// Own the rules of @p owner in table @p table, which publish @p forwards.
  PublishedPorts(std::string table, std::string owner, std::vector<PortForward> forwards);
  /// Take over @p other's rules.
  PublishedPorts(PublishedPorts&& other) noexcept;
  /// Remove ours (as the destructor does), then take over @p other's rules.
  PublishedPorts& operator=(PublishedPorts&& other) noexcept;
  PublishedPorts(const PublishedPorts&) = delete;
  PublishedPorts& operator=(const PublishedPorts&) = delete;
  ~PublishedPorts();

  /// The ports as published, host ports chosen.
  const std::vector<PortForward>& forwards() const noexcept { return forwards_; }
  /// The owner written on the rules.
  const std::string& owner() const noexcept { return owner_; }
  /// Keep the rules: the destructor will not remove them.
  void release() noexcept { armed_ = false; }
  /// Remove the rules now; throws on failure. Afterwards the guard owns nothing.
  void remove();

 private:
  void remove_quietly() noexcept;

  std::string table_;
  std::string owner_;
  std::vector<PortForward> forwards_;
  bool armed_ = false;
};

}  // namespace boxlab::net
