/**
 * @file image_config.hpp
 * @brief `docker run`'s rules for turning an image's config and the run flags into the process
 *        to start: command, environment, working directory and user.
 *
 * The rules (Docker's daemon/create.go and the run reference):
 *  - the command is Entrypoint + Cmd; arguments after the image replace Cmd; --entrypoint
 *    replaces Entrypoint and drops the image's Cmd; nothing left is "no command specified";
 *  - the environment is the image's Env, then --env-file, then -e, later keys replacing earlier
 *    ones; `-e NAME` takes NAME from the caller's environment (dropped when unset); PATH and
 *    HOSTNAME are added when missing, TERM=xterm with a terminal;
 *  - -w, else WorkingDir, else /; -u, else User, else root. A user or group given by name is
 *    looked up in the container's own /etc/passwd and /etc/group, never the host's.
 */
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "boxlab/container/spec.hpp"
#include "boxlab/image/image.hpp"

namespace boxlab::container {

/// What `run` says beyond the image.
struct RunRequest {
  std::vector<std::string> command;                       ///< the arguments after IMAGE
  std::optional<std::string> entrypoint;                  ///< --entrypoint ("" clears it)
  std::vector<std::string> env;                           ///< -e KEY=value or -e KEY, in order
  std::vector<std::string> env_files;                     ///< --env-file, in order
  std::optional<std::string> workdir;                     ///< -w
  std::optional<std::string> user;                        ///< -u: name|uid[:group|gid]
  std::string hostname;                                   ///< the container's hostname
  bool terminal = false;                                  ///< -t
};

/// The user a process runs as.
struct ResolvedUser {
  uint32_t uid = 0;  ///< user id
  uint32_t gid = 0;  ///< primary group id
};

/// Resolve @p user ("", "name", "1000", "name:group", "1000:1000") against the passwd and group
/// files of @p rootfs, read confined to it (openat2 RESOLVE_IN_ROOT). Throws "unable to find
/// user NAME: no matching entries in passwd file" as Docker does.
ResolvedUser resolve_user(const std::string& rootfs, const std::string& user);

/// Read an env file: KEY=value lines, `#` comments and blank lines skipped, a bare KEY taken from
/// the caller's environment.
std::vector<std::string> read_env_file(const std::string& path);

/**
 * @brief The process `docker run` would start for @p config and @p request in @p rootfs.
 *
 * Throws boxlab::Error with exit code 125 for "No command specified", a bad -e ("=value"),
 * an unreadable env file or an unknown user.
 */
Process process_for_image(const image::ContainerConfig& config, const RunRequest& request, const std::string& rootfs);

}  // namespace boxlab::container
