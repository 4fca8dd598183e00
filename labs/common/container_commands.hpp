// The container commands of lab 07, shared by every later lab: run, create, start, ps, logs,
// exec, top, inspect, stop, kill, restart, wait, rename, rm and container prune, spelled as
// docker spells them.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "boxlab/container/state.hpp"
#include "limit_flags.hpp"

namespace labcli {

/// The flags of `run` and `create`.
struct CreateFlags {
  bool detach = false, interactive = false, tty = false, remove = false, read_only = false, init = false;
  std::string name, hostname, workdir, user, restart = "no";
  std::optional<std::string> entrypoint;
  std::vector<std::string> env, env_files;
  std::string network;                           // --network (lab 08)
  std::vector<std::string> aliases, publish;     // --network-alias, -p
  bool publish_all = false;                      // -P
  std::vector<std::string> volumes, mounts;      // -v, --mount (lab 09)
  LimitFlags limits;
  std::string image;
  std::vector<std::string> command;
};

/// lab07's container subcommands, added to an app; run() carries out the one that was chosen.
class ContainerCommands {
 public:
  /// Add the subcommands to @p app; @p lab names the lab in messages, @p number is its number.
  /// From lab 08 on, run and create take --network (default: the bridge network), -p, -P and
  /// --network-alias (before, a container has a network namespace with only lo); from lab 09
  /// on, -v and --mount, and rm takes -v.
  ContainerCommands(CLI::App& app, std::string lab, int number);
  /// Carry out the chosen subcommand, or nullopt when it was none of these.
  std::optional<int> run(const boxlab::container::StateRoot& root);

 private:
  int run_or_create(const boxlab::container::StateRoot& root, bool start);
  int start(const boxlab::container::StateRoot& root);
  int ps(const boxlab::container::StateRoot& root);
  int logs(const boxlab::container::StateRoot& root);
  int exec(const boxlab::container::StateRoot& root);
  int each(const boxlab::container::StateRoot& root);
  int prune(const boxlab::container::StateRoot& root);

  std::string lab_;
  CLI::App *run_, *create_, *start_, *ps_, *logs_, *exec_, *top_, *inspect_, *stop_, *kill_, *restart_, *wait_,
      *rename_, *rm_, *prune_;
  CreateFlags flags_;
  std::vector<std::string> refs_;
  std::string format_, signal_ = "KILL", new_name_;
  std::vector<std::string> filters_;
  int timeout_ = 10;
  std::optional<size_t> tail_;
  bool attach_ = false, all_ = false, quiet_ = false, no_trunc_ = false, follow_ = false, timestamps_ = false,
       force_ = false, remove_volumes_ = false;
};

}  // namespace labcli
