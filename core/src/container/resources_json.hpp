/**
 * @file resources_json.hpp
 * @brief Private to core/src/container: linux.resources of config.json to and from cgroup::Limits.
 */
#pragma once

#include <nlohmann/json.hpp>

#include "boxlab/cgroup/limits.hpp"

namespace boxlab::container {

/// config-linux.md "Control groups": memory, cpu, pids and blockIO, as runc reads them.
nlohmann::json resources_to_json(const cgroup::Limits& limits);
/// The inverse of resources_to_json; missing fields stay unset.
cgroup::Limits resources_from_json(const nlohmann::json& j);

}  // namespace boxlab::container
