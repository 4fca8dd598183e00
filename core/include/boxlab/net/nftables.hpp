/**
 * @file nftables.hpp
 * @brief Talking to the kernel's nf_tables through libnftables (the library behind `nft`).
 */
#pragma once

#include <memory>
#include <string>

struct nft_ctx;

namespace boxlab::net {

/**
 * @brief One libnftables context: runs nft commands and returns their output.
 *
 * Commands are nft's own language ("list tables", "add table ip boxlab"); libnftables turns
 * them into netlink messages to the kernel, so there is no `nft` process to spawn.
 */
class Nftables {
 public:
  Nftables();
  ~Nftables();
  Nftables(const Nftables&) = delete;
  Nftables& operator=(const Nftables&) = delete;

  /// Run @p commands; return what nft would print. Throws boxlab::Error with nft's message.
  std::string run(const std::string& commands);

  /// Run @p commands with JSON output (`nft -j`): a listing comes back as one JSON document in
  /// which every table, chain and rule carries its handle (what `delete rule ... handle N`
  /// needs). Throws like run().
  std::string run_json(const std::string& commands);

 private:
  nft_ctx* ctx_;
};

}  // namespace boxlab::net
