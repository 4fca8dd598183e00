// The network commands of lab 08, shared by every later lab: network create, ls, inspect, rm,
// prune, connect and disconnect, as docker spells them.
#pragma once

#include <CLI/CLI.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "boxlab/container/state.hpp"

namespace labcli {

/// lab08's `network` subcommand and its own subcommands; run() carries out the chosen one.
class NetworkCommands {
 public:
  /// Add `network ...` to @p app.
  explicit NetworkCommands(CLI::App& app);
  /// Carry out the chosen subcommand, or nullopt when it was none of these.
  std::optional<int> run(const boxlab::container::StateRoot& root);

 private:
  CLI::App* network_ = nullptr;
  CLI::App* create_ = nullptr;
  CLI::App* ls_ = nullptr;
  CLI::App* inspect_ = nullptr;
  CLI::App* rm_ = nullptr;
  CLI::App* prune_ = nullptr;
  CLI::App* connect_ = nullptr;
  CLI::App* disconnect_ = nullptr;
  std::string subnet_, driver_ = "bridge";
  std::vector<std::string> names_, labels_, aliases_;
  bool quiet_ = false, force_ = false;
};

}  // namespace labcli
