// The volume commands of lab 09, shared by every later lab: volume create, ls, inspect, rm and
// prune, as docker spells them.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "boxlab/container/state.hpp"

namespace labcli {

/// lab09's `volume` subcommand and its own subcommands; run() carries out the chosen one.
class VolumeCommands {
 public:
  /// Add `volume ...` to @p app.
  explicit VolumeCommands(CLI::App& app);
  /// Carry out the chosen subcommand, or nullopt when it was none of these.
  std::optional<int> run(const boxlab::container::StateRoot& root);

 private:
  int create(const boxlab::container::StateRoot& root);
  int ls(const boxlab::container::StateRoot& root);
  int rm(const boxlab::container::StateRoot& root);
  int prune(const boxlab::container::StateRoot& root);

  CLI::App *volume_ = nullptr, *create_ = nullptr, *ls_ = nullptr, *inspect_ = nullptr, *rm_ = nullptr,
           *prune_ = nullptr;
  std::string driver_ = "local", name_, format_;
  std::vector<std::string> names_, labels_, options_, filters_;
  bool quiet_ = false, force_ = false, all_ = false;
};

}  // namespace labcli
