/**
 * @file container_listing.hpp
 * @brief What `ps`, `inspect` and `top` print about containers, in docker's formats.
 */
#pragma once

#include <string>
#include <vector>

#include "boxlab/container/container_store.hpp"

namespace boxlab::container {

/// The STATUS column: "Created", "Up 5 seconds", "Exited (0) 3 minutes ago", "Restarting (1)
/// 2 seconds ago", "Dead".
std::string status_text(const Container& c);

/// The state as `--filter status=` and `{{.State}}` name it: created, running, restarting,
/// exited, dead (a container whose monitor died is exited).
std::string state_name(const Container& c);

/// The COMMAND column: the arguments quoted as docker shows them, cut at 20 characters
/// unless @p no_trunc.
std::string command_text(const Container& c, bool no_trunc);

/// One JSON object per container with docker ps's template fields (ID, Image, Command,
/// CreatedAt, RunningFor, Status, State, Names, Ports), as a JSON array.
std::string ps_fields_json(const std::vector<Container>& containers, bool no_trunc);

/// The table of `ps`.
std::string format_ps(const std::vector<Container>& containers, bool no_trunc);

/// `inspect`: a JSON array with docker inspect's main fields (Id, Created, Path, Args, State,
/// Image, Name, RestartCount, HostConfig, Mounts, Config).
std::string inspect_containers(const std::vector<Container>& containers);

/// `top`: the container's processes (read from its cgroup), as UID PID PPID CMD lines.
std::string format_top(const Container& c);

}  // namespace boxlab::container
