// The commands of lab 05, shared by every later lab: `run` on overlay layers (--layer DIR...,
// --keep, --cidfile, plus lab04's limits and lab03's --rootfs), `diff`, `rm`, `stats` and `ns`.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "boxlab/container/state.hpp"
#include "cli.hpp"
#include "limit_flags.hpp"

namespace labcli {

/// lab05's subcommands, added to an app; run() carries out the one that was chosen.
class LayerRunCommands {
 public:
  /// Add run, diff, rm, stats and ns to @p app; @p lab names the lab in messages.
  LayerRunCommands(CLI::App& app, std::string lab);

  /// Carry out the chosen subcommand, or nullopt when it was none of these.
  std::optional<int> run(const boxlab::container::StateRoot& root);

 private:
  int run_container(const boxlab::container::StateRoot& root);

  std::string lab_;
  CLI::App* run_ = nullptr;
  CLI::App* diff_ = nullptr;
  CLI::App* rm_ = nullptr;
  CLI::App* stats_ = nullptr;
  CLI::App* ns_ = nullptr;
  RunFlags flags_;
  LimitFlags limit_flags_;
  RootfsFlags rootfs_flags_;
  std::vector<std::string> layers_;
  bool keep_ = false;
  std::string cidfile_;
  std::string id_;
  bool no_stream_ = false;
  pid_t pid_ = 0;
};

}  // namespace labcli
