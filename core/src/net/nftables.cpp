// nftables: the packet filter and NAT the course uses (libnftables(3)).
//
// libnftables parses nft's command language and talks netlink to the kernel, like the nft
// tool, but in-process. Output and errors are buffered so they can be returned or thrown.
//
// JSON output (nft -j) is what a program should read back: every object carries its handle
// and comment, and nothing has to be parsed out of nft's human layout.
//
// Interface: Nftables::run, Nftables::run_json
#include "boxlab/net/nftables.hpp"

#include <nftables/libnftables.h>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/scope_exit.hpp"

namespace boxlab::net {

Nftables::Nftables() : ctx_(nft_ctx_new(NFT_CTX_DEFAULT)) {
  if (!ctx_) throw Error("libnftables: cannot create a context");
  nft_ctx_buffer_output(ctx_);
  nft_ctx_buffer_error(ctx_);
}

Nftables::~Nftables() { nft_ctx_free(ctx_); }

std::string Nftables::run(const std::string& commands) {
  int rc = nft_run_cmd_from_buffer(ctx_, commands.c_str());
  std::string output = nft_ctx_get_output_buffer(ctx_);
  std::string error = nft_ctx_get_error_buffer(ctx_);
  if (rc != 0) {
    while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
    throw Error("nft '" + commands + "': " + (error.empty() ? "failed" : error));
  }
  return output;
}

std::string Nftables::run_json(const std::string& commands) {
  unsigned flags = nft_ctx_output_get_flags(ctx_);
  nft_ctx_output_set_flags(ctx_, flags | NFT_CTX_OUTPUT_JSON);
  sys::ScopeExit restore([&]() noexcept { nft_ctx_output_set_flags(ctx_, flags); });
  return run(commands);
}

}  // namespace boxlab::net
