// Masked and read-only paths: what of /proc and /sys a container must not see or change.
//
// The lists are Docker's defaults (moby oci/defaults.go, DefaultLinuxSpec). A masked file gets
// /dev/null bind-mounted over it (reads return nothing); a masked directory gets an empty
// read-only tmpfs. A read-only path is bind-mounted onto itself and remounted read-only: the
// second mount(2) call is needed because MS_BIND ignores MS_RDONLY (mount(2)).
//
// Interface: docker_masked_paths, docker_readonly_paths, mask_path, make_readonly
#include "boxlab/fs/masked_paths.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::fs {

const std::vector<std::string>& docker_masked_paths() {
  static const std::vector<std::string> paths{
      "/proc/asound",       "/proc/acpi",          "/proc/kcore",       "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list",   "/proc/timer_stats", "/proc/sched_debug",
      "/proc/scsi",         "/sys/firmware",       "/sys/devices/virtual/powercap",
  };
  return paths;
}

const std::vector<std::string>& docker_readonly_paths() {
  static const std::vector<std::string> paths{
      "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
  };
  return paths;
}

void mask_path(const std::string& path) {
  // LAB 03 BEGIN: hide a path: /dev/null over a file, an empty read-only tmpfs over a directory
  if (!sys::exists(path)) return;
  if (S_ISDIR(sys::stat(path).st_mode))
    sys::mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0,mode=555");
  else
    sys::mount("/dev/null", path, "", MS_BIND);
  // LAB 03 END
}

void make_readonly(const std::string& path) {
  // LAB 03 BEGIN: bind the path onto itself, then remount the bind read-only
  if (!sys::exists(path)) return;
  sys::mount(path, path, "", MS_BIND | MS_REC);
  sys::mount("", path, "", MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
  // LAB 03 END
}

}  // namespace boxlab::fs
