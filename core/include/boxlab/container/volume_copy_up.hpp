/**
 * @file volume_copy_up.hpp
 * @brief Docker's volume copy-up: the first time an empty volume is mounted over a directory
 *        of the image, the image's files there are copied into it.
 *
 * That is why `docker run -v data:/etc/nginx nginx` starts with nginx's config in the new
 * volume, while a bind mount hides what the image had. The copy keeps modes, owners (when run
 * as root), times, symlinks (as links, never followed) and hardlinks; it reads the image's
 * tree confined to its root, so neither a symlinked destination nor a symlink inside can make
 * it copy a host file.
 */
#pragma once

#include <string>

namespace boxlab::container {

/**
 * @brief Copy what @p rootfs holds at @p path (a path in the container, resolved beneath
 *        @p rootfs with openat2 RESOLVE_IN_ROOT) into the volume directory @p volume_data, if
 *        that directory is empty.
 *
 * @p rootfs is the container's root as the host sees it before start (the mounted overlay, or a
 * plain rootfs directory). The volume's root takes the source directory's mode, owner and times.
 * Returns true if it copied; false when the volume is not empty or @p path does not exist.
 * Throws "cannot mount volume over existing file, file exists PATH" when @p path is not a
 * directory.
 */
bool populate_from_image(const std::string& volume_data, const std::string& rootfs, const std::string& path);

}  // namespace boxlab::container
