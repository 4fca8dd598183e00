/**
 * @file container_volumes.hpp
 * @brief Volumes and bind mounts as a container's life sees them: given to it at create, filled
 *        from the image at its first start, released (anonymous ones) when it is removed.
 *
 * A container records what it mounts (inspect's Mounts) in its config, so the volume commands
 * can tell which volumes are in use without asking anyone: a volume is in use while any
 * container, running or not, names it, as in Docker (`volume rm` of a stopped container's
 * volume fails too).
 */
#pragma once

#include <set>
#include <string>
#include <vector>

#include "boxlab/container/container_store.hpp"
#include "boxlab/container/mount_flags.hpp"
#include "boxlab/container/volume_store.hpp"

namespace boxlab::container {

/**
 * @brief Give the new container @p config its mounts: @p requests (-v, --mount) and an
 *        anonymous volume for each of @p image_volumes that no request covers, resolved
 *        against @p volumes and appended to its spec after every default mount.
 *
 * Fills config.mounts (for inspect) and config.copy_up. Returns the names of the volumes this
 * call created, so that a create failing later can remove them again.
 */
std::vector<std::string> attach_mounts(ContainerConfig& config, std::vector<MountRequest> requests,
                                       const std::vector<std::string>& image_volumes, const VolumeStore& volumes);

/// The ids of the containers of @p store that mount volume @p name.
std::vector<std::string> containers_using_volume(const ContainerStore& store, const std::string& name);

/// The names of the volumes any container of @p store mounts.
std::set<std::string> volumes_in_use(const ContainerStore& store);

/// Docker's copy-up at the first start: each volume of config.copy_up gets what the image has
/// at its destination in @p rootfs (the mounted root, before the container runs), if it is empty.
void copy_up_volumes(const ContainerConfig& config, const std::string& rootfs);

/// Remove the anonymous volumes of @p config that no other container of @p store mounts
/// (`rm -v`, and `run --rm` when the container ends). Named volumes always stay.
void remove_anonymous_volumes(const ContainerStore& store, const VolumeStore& volumes, const ContainerConfig& config);

}  // namespace boxlab::container
