// Shared wiring of the lab command lines: one error line and Docker's exit codes, the root
// check, and the run options that several labs share. Not core: it only wires CLI11 to core.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "boxlab/container/spec.hpp"

namespace labcli {

/// Run @p body; print any error as one line "NAME: message" and return Docker's exit code.
int guarded_main(const std::string& name, const std::function<int()>& body);

/// Parse the command line; on a bad flag print one line and exit 125 (as `docker run` does).
void parse(CLI::App& app, int argc, char** argv);

/// The command after `run`'s options; exits 125 with Docker's message when there is none.
std::vector<std::string> command_of(CLI::App& run);

/// Write @p text to stdout at once (before an error line on stderr, in the order they happened).
void print(const std::string& text);

/// --label KEY=VALUE (or KEY, an empty value) flags as a map.
std::map<std::string, std::string> parse_labels(const std::vector<std::string>& labels);

/// Throw a one-line error unless running as root, saying why root is needed and how to fix it.
void require_root(const std::string& name, const std::string& why);

/// The flags of `run` shared from lab 02 on: --hostname, --ns, -e, -w, -u.
struct RunFlags {
  std::string hostname;
  std::string namespaces = "uts,pid,ipc,net,mnt,cgroup";
  std::vector<std::string> env;
  std::string workdir = "/";
  std::string user = "0:0";
  std::vector<std::string> command;
};

/// Add the RunFlags options to @p run; the command is read after parsing with command_of().
void add_run_flags(CLI::App& run, RunFlags& flags);

/// Turn RunFlags into a spec (no rootfs yet). A user namespace maps 0-65535 to 100000-165535.
boxlab::container::Spec spec_from_flags(const RunFlags& flags);

/// The root filesystem flags of `run` from lab 03 on: --rootfs DIR and --read-only.
struct RootfsFlags {
  std::string rootfs;
  bool read_only = false;
};

/// Add --rootfs and --read-only to @p run.
void add_rootfs_flags(CLI::App& run, RootfsFlags& flags);

/// Give @p spec the rootfs and Docker's default mounts when --rootfs was given.
void apply_rootfs_flags(boxlab::container::Spec& spec, const RootfsFlags& flags);

/// `stats [--no-stream] [ID...]`: a sample a second of the running containers under
/// @p containers_dir (a cleared screen on a terminal) until Ctrl-C, or one with @p no_stream.
int show_stats(const std::string& containers_dir, const std::vector<std::string>& ids, bool no_stream);

/// Print `ns PID`'s table: each namespace of PID beside the host's (this process's).
void print_namespaces(pid_t pid);

}  // namespace labcli
