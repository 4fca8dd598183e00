// Container init: the child's own set-up, between clone and exec.
//
// The child starts in its new namespaces but still sees the host's filesystem. It builds its
// world in a fixed order, one named step each, like nsjail's contain.cc; the order matters:
// mounts must be private before anything is mounted, /proc can be mounted only once the root
// has moved (or it would land on the host's tree) while a bind mount's source must be taken
// before (it is a host path), and the hostname is set last among the kernel state so that a
// failure earlier leaves no trace. Errors propagate as exceptions to
// the spawn trampoline, which reports them to the parent over the error pipe.
//
// Interface: init_child
#include "boxlab/container/init.hpp"

#include <sys/mount.h>

#include "boxlab/cgroup/mount.hpp"
#include "boxlab/fs/bind_mount.hpp"
#include "boxlab/fs/devices.hpp"
#include "boxlab/fs/masked_paths.hpp"
#include "boxlab/fs/pivot.hpp"
#include "boxlab/fs/propagation.hpp"
#include "boxlab/ns/uts.hpp"
#include "boxlab/security/capabilities.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/terminal.hpp"

namespace boxlab::container {
namespace {

void set_up_root_filesystem(const Spec& spec) {
  with_context("make mounts private", [] { fs::make_mounts_private(); });
  // Bind sources are host paths: take them while the host's tree is still there (bind_mount.hpp).
  auto bind_sources = fs::take_bind_sources(spec.mounts);
  with_context("pivot_root into " + spec.root.path, [&] { fs::pivot_into(spec.root.path); });
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const auto& m = spec.mounts[i];
    // OCI's "cgroup" mount type is not a file system of its own: it is v2's cgroup2 or v1's
    // hierarchies, whichever the host uses (runc decides the same way).
    if (bind_sources[i]) bind_sources[i]->attach(m);
    else if (m.type == "cgroup") cgroup::mount_cgroupfs(m.destination);
    else fs::apply_mount(m);
  }
  with_context("create devices", [] { fs::create_devices(fs::default_devices()); });
  for (const auto& p : spec.linux.masked_paths) with_context("mask " + p, [&] { fs::mask_path(p); });
  for (const auto& p : spec.linux.readonly_paths)
    with_context("make " + p + " read-only", [&] { fs::make_readonly(p); });
  if (spec.root.readonly)
    with_context("make / read-only", [] { sys::mount("", "/", "", MS_BIND | MS_REMOUNT | MS_RDONLY); });
}

}  // namespace

void init_child(const Spec& spec) {
  // With a terminal, the container is a session of its own whose controlling terminal is the
  // pty on its stdin, so ^C and window changes reach its foreground job (credentials(7)).
  if (spec.process.terminal)
    with_context("make the pty the controlling terminal", [] {
      sys::setsid();
      sys::make_controlling_terminal(0);
    });
  if (!spec.root.path.empty()) set_up_root_filesystem(spec);
  else if (spec.creates(ns::Kind::mnt)) fs::make_mounts_private();
  if (!spec.hostname.empty() && spec.creates(ns::Kind::uts))
    with_context("set hostname", [&] { ns::set_hostname(spec.hostname); });
  // The bounding set first, while CAP_SETPCAP is still effective; the process's own sets after
  // the user change, which has already emptied them unless the user is root (capabilities(7)).
  const auto& caps = spec.process.capabilities;
  if (caps) with_context("drop capabilities from the bounding set", [&] { security::drop_bounding_set(*caps); });
  with_context("set user and group", [&] { sys::set_ids(spec.process.uid, spec.process.gid); });
  if (caps && spec.process.uid == 0)
    with_context("set capabilities", [&] { security::set_process_capabilities(*caps); });
  with_context("change to working directory", [&] { sys::chdir(spec.process.cwd); });
}

}  // namespace boxlab::container
