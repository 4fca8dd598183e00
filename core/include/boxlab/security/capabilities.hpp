/**
 * @file capabilities.hpp
 * @brief Linux capabilities: the pieces of root a container's process keeps (capabilities(7)).
 *
 * Root in a container is not root on the host partly because its process runs with only some of
 * the ~40 capabilities. Docker keeps 14 by default (moby's oci/caps/defaults.go): enough to run
 * a distribution's own tools as root (chown files, bind port 80, change user), not enough to
 * load kernel modules, mount file systems or change the clock.
 */
#pragma once

#include <string>
#include <vector>

namespace boxlab::security {

/// Docker's default capabilities, as "CAP_CHOWN", ... (moby oci/caps/defaults.go).
std::vector<std::string> docker_default_capabilities();

/// Every capability this kernel knows ("CAP_CHOWN" … "CAP_CHECKPOINT_RESTORE").
std::vector<std::string> all_capabilities();

/// "chown", "CAP_CHOWN" or "cap_chown" -> "CAP_CHOWN"; throws for a name the kernel does not
/// know ("unknown capability: CAP_FLY").
std::string normalise_capability(const std::string& name);

/**
 * @brief Reduce this process to @p keep: drop every other capability from the bounding set, then
 *        make the permitted, effective and inheritable sets exactly @p keep (when still root).
 *
 * Call it in the container's init after changing user and before exec: dropping the bounding set
 * needs CAP_SETPCAP, and a process that is no longer uid 0 keeps no capabilities across
 * setresuid(2) anyway (capabilities(7), "Effect of user ID changes on capabilities").
 */
void drop_bounding_set(const std::vector<std::string>& keep);

/// Set permitted, effective and inheritable to exactly @p keep (a root process only).
void set_process_capabilities(const std::vector<std::string>& keep);

}  // namespace boxlab::security
