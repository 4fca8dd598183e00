// Devices: the few device nodes a container may use.
//
// The container's /dev is a fresh tmpfs, so it holds no host devices (no disks, no /dev/mem).
// We create only the harmless character devices every program expects, with the numbers from
// the kernel's Documentation/admin-guide/devices.txt, and the usual symlinks. /dev/ptmx points
// at the container's own devpts instance (mounted with newinstance), so its ptys are its own.
//
// Interface: default_devices, create_devices
#include "boxlab/fs/devices.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <utility>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::fs {

const std::vector<Device>& default_devices() {
  static const std::vector<Device> devices{
      {"/dev/null", 'c', 1, 3, 0666},   {"/dev/zero", 'c', 1, 5, 0666},
      {"/dev/full", 'c', 1, 7, 0666},   {"/dev/random", 'c', 1, 8, 0666},
      {"/dev/urandom", 'c', 1, 9, 0666}, {"/dev/tty", 'c', 5, 0, 0666},
  };
  return devices;
}

void create_devices(const std::vector<Device>& devices) {
  // LAB 03 BEGIN: mknod each device (then chmod: mknod applies the umask) and the /dev symlinks
  for (const auto& d : devices) {
    mode_t type = d.type == 'b' ? S_IFBLK : S_IFCHR;
    sys::mknod(d.path, type | d.mode, makedev(d.major, d.minor));
    sys::chmod(d.path, d.mode);
  }
  const std::pair<const char*, const char*> links[] = {
      {"/proc/self/fd", "/dev/fd"},   {"/proc/self/fd/0", "/dev/stdin"},
      {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
      {"pts/ptmx", "/dev/ptmx"},      {"/proc/kcore", "/dev/core"},
  };
  for (const auto& [target, link] : links)
    if (!sys::exists(link)) sys::symlink(target, link);
  // LAB 03 END
}

}  // namespace boxlab::fs
