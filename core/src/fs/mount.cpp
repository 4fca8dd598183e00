// Mounts from the spec: fstab-style options to mount(2) flags.
//
// The OCI spec writes mounts the way /etc/fstab does ("nosuid", "mode=755", "ro"); mount(2)
// wants some of them as MS_* flag bits and passes the rest, comma-joined, to the filesystem
// as its data string. Propagation flags (private, slave, shared) cannot be combined with
// others in one call and need a call of their own.
//
// Interface: parse_mount_options, apply_mount
#include "boxlab/fs/mount.hpp"

#include <sys/mount.h>

#include <map>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::fs {
namespace {

struct FlagOption {
  bool clear;  // "rw" clears MS_RDONLY, "suid" clears MS_NOSUID, ...
  unsigned long flag;
};

const std::map<std::string, FlagOption>& flag_options() {
  static const std::map<std::string, FlagOption> options{
      {"ro", {false, MS_RDONLY}},         {"rw", {true, MS_RDONLY}},
      {"nosuid", {false, MS_NOSUID}},     {"suid", {true, MS_NOSUID}},
      {"nodev", {false, MS_NODEV}},       {"dev", {true, MS_NODEV}},
      {"noexec", {false, MS_NOEXEC}},     {"exec", {true, MS_NOEXEC}},
      {"bind", {false, MS_BIND}},         {"rbind", {false, MS_BIND | MS_REC}},
      {"relatime", {false, MS_RELATIME}}, {"strictatime", {false, MS_STRICTATIME}},
      {"noatime", {false, MS_NOATIME}},   {"nodiratime", {false, MS_NODIRATIME}},
  };
  return options;
}

const std::map<std::string, unsigned long>& propagation_options() {
  static const std::map<std::string, unsigned long> options{
      {"private", MS_PRIVATE}, {"rprivate", MS_PRIVATE | MS_REC}, {"slave", MS_SLAVE},
      {"rslave", MS_SLAVE | MS_REC}, {"shared", MS_SHARED}, {"rshared", MS_SHARED | MS_REC},
  };
  return options;
}

bool is_bind(const Mount& m, const MountFlags& f) { return m.type == "bind" || (f.flags & MS_BIND); }

}  // namespace

MountFlags parse_mount_options(const std::vector<std::string>& options) {
  MountFlags out;
  for (const auto& option : options) {
    if (auto it = flag_options().find(option); it != flag_options().end()) {
      if (it->second.clear) out.flags &= ~it->second.flag;
      else out.flags |= it->second.flag;
    } else if (auto p = propagation_options().find(option); p != propagation_options().end()) {
      out.propagation |= p->second;
    } else {
      out.data += (out.data.empty() ? "" : ",") + option;
    }
  }
  return out;
}

void apply_mount(const Mount& mount) {
  // LAB 03 BEGIN: create the destination and mount it with the spec's flags and data
  MountFlags f = parse_mount_options(mount.options);
  with_context("mount " + mount.destination, [&] {
    sys::mkdir_all(mount.destination, 0755);
    bool bind = is_bind(mount, f);
    std::string type = bind ? "" : mount.type;
    sys::mount(mount.source, mount.destination, type, f.flags, f.data);
    // MS_BIND ignores every other flag on the first call; apply them with a remount.
    if (bind && (f.flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)))
      sys::mount("", mount.destination, "", f.flags | MS_REMOUNT | MS_BIND);
    if (f.propagation) sys::mount("", mount.destination, "", f.propagation);
  });
  // LAB 03 END
}

}  // namespace boxlab::fs
