/**
 * @file devices.hpp
 * @brief The minimal /dev a container gets, as Docker and runc make it.
 */
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace boxlab::fs {

/// A device node to create in the container's /dev.
struct Device {
  std::string path;  ///< e.g. "/dev/null"
  char type = 'c';   ///< 'c' character, 'b' block
  unsigned major = 0;  ///< major device number (devices.txt)
  unsigned minor = 0;  ///< minor device number
  mode_t mode = 0666;  ///< permission bits
};

/// null, zero, full, random, urandom and tty: the nodes every container gets (runc's defaults).
const std::vector<Device>& default_devices();

/// Create @p devices with mknod(2), and the standard symlinks: /dev/fd, stdin, stdout, stderr,
/// ptmx (to pts/ptmx) and core.
void create_devices(const std::vector<Device>& devices);

}  // namespace boxlab::fs
