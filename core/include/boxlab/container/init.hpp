/**
 * @file init.hpp
 * @brief What the container's first process does to itself before exec.
 *
 * Runs in the child, inside its new namespaces, while the parent waits on the error pipe.
 * The steps, in order (this is the lesson's list):
 *  1. make every mount private, so nothing propagates to the host;
 *  2. pivot_root into the rootfs and detach the old root;
 *  3. mount /proc, /dev, /dev/pts, /dev/shm, /sys (read-only) from the spec;
 *  4. create the device nodes;
 *  5. mask and write-protect Docker's lists of /proc and /sys paths;
 *  6. set the hostname;
 *  7. change to the working directory; then exec the command.
 */
#pragma once

#include "boxlab/container/spec.hpp"

namespace boxlab::container {

/// Set up the calling (child) process as @p spec describes. Throws on failure; the spawn
/// trampoline reports the error to the parent.
void init_child(const Spec& spec);

}  // namespace boxlab::container
