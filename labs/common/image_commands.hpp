// The image commands of lab 06, shared by every later lab: pull, push, images, rmi, tag,
// inspect, history, save, load, import, system df and image prune, as docker spells them.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "boxlab/container/state.hpp"

namespace labcli {

/// lab06's image subcommands, added to an app; run() carries out the one that was chosen.
class ImageCommands {
 public:
  /// Add the image subcommands to @p app; @p lab names the lab in messages. Without
  /// @p with_inspect, `inspect` is left to a lab whose inspect also knows containers (it then
  /// stays available as `image inspect`).
  ImageCommands(CLI::App& app, std::string lab, bool with_inspect = true);

  /// Carry out the chosen subcommand, or nullopt when it was none of these.
  std::optional<int> run(const boxlab::container::StateRoot& root);

 private:
  int pull(const boxlab::container::StateRoot& root);
  int push(const boxlab::container::StateRoot& root);
  int save(const boxlab::container::StateRoot& root);
  int prune(const boxlab::container::StateRoot& root);

  std::string lab_;
  CLI::App* pull_ = nullptr;
  CLI::App* push_ = nullptr;
  CLI::App* images_ = nullptr;
  CLI::App* rmi_ = nullptr;
  CLI::App* tag_ = nullptr;
  CLI::App* inspect_ = nullptr;
  CLI::App* history_ = nullptr;
  CLI::App* save_ = nullptr;
  CLI::App* load_ = nullptr;
  CLI::App* import_ = nullptr;
  CLI::App* system_df_ = nullptr;
  CLI::App* image_prune_ = nullptr;

  std::vector<std::string> names_;  // the IMAGE arguments
  std::string source_;              // tag's SOURCE
  std::string target_;              // tag's TARGET, import's REPOSITORY[:TAG]
  std::string platform_;
  std::string file_;                // -o, -i, import's file
  std::string format_;              // inspect -f
  std::string message_;             // import -m
  bool quiet_ = false;
  bool digests_ = false;
  bool no_trunc_ = false;
  bool human_ = true;
  bool force_ = false;
  bool all_ = false;
};

}  // namespace labcli
