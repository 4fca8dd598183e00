/**
 * @file exec.hpp
 * @brief `exec`: another process in a running container, in all of its namespaces and its cgroup.
 *
 * The new process is a child of the exec command, not of the container's PID 1: it enters each
 * namespace of the container's first process with setns(2) (the PID namespace from the parent,
 * where it takes effect for the next child; the mount namespace last, because entering it makes
 * the host's /proc invisible), joins the container's cgroup before it runs, and runs with the
 * container's capabilities, environment and user unless told otherwise.
 */
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "boxlab/container/lifecycle.hpp"

namespace boxlab::container {

/// What `exec` runs.
struct ExecOptions {
  std::vector<std::string> args;     ///< the command
  std::vector<std::string> env;      ///< -e KEY=value, added to the container's environment
  std::optional<std::string> workdir;  ///< -w (default: the container's)
  std::optional<std::string> user;     ///< -u (default: the container's)
  bool terminal = false;             ///< -t
  bool interactive = false;          ///< -i
  int size_source = -1;              ///< with -t: the terminal whose size the pty follows
};

/// Run @p options.args in running container @p ref and return its exit code (Docker's: 126 it
/// cannot be run, 127 not found, 128+N killed by signal N). Throws "container … is not running".
int exec_in_container(const Containers& containers, const std::string& ref, const ExecOptions& options);

}  // namespace boxlab::container
