/**
 * @file propagation.hpp
 * @brief Mount propagation: keeping a container's mounts from leaking to the host.
 *
 * A new mount namespace starts as a copy of its parent's mounts, and with systemd's default of
 * shared propagation (mount_namespaces(7), "Shared subtrees") every mount made inside would
 * propagate back to the host. Making the whole tree private, first thing, cuts that link.
 */
#pragma once

namespace boxlab::fs {

/// Make every mount of the calling process's mount namespace private (MS_REC | MS_PRIVATE).
void make_mounts_private();

}  // namespace boxlab::fs
