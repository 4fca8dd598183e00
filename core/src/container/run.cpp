// Run: from a spec to an exit status, in the foreground.
//
// The steps, in the order the lessons teach them:
//  1. check the spec (rootfs, hostname) before anything is created;
//  2. block the signals we forward, so none is lost before we wait;
//  3. clone3 the child into its new namespaces; it waits on the sync pipe;
//  4. parent: write its uid/gid maps if it has a user namespace, then let it go;
//  5. child: init_child (mounts, pivot_root, hostname), then exec the command;
//  6. parent: forward signals until the child exits, and return how it ended.
//
// Interface: run
#include "boxlab/container/run.hpp"

#include "boxlab/container/init.hpp"
#include "boxlab/fs/pivot.hpp"
#include "boxlab/ns/uts.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/signals.hpp"

namespace boxlab::container {
namespace {

void validate(const Spec& spec) {
  if (spec.process.args.empty()) throw Error("no command given");
  if (!spec.root.path.empty()) fs::validate_rootfs(spec.root.path);
  if (!spec.hostname.empty()) ns::validate_hostname(spec.hostname);
  if (spec.creates(ns::Kind::user) && spec.linux.uid_mappings.empty())
    throw Error("a user namespace needs uid mappings");
}

std::vector<ns::Kind> namespaces_to_create(const Spec& spec) {
  std::vector<ns::Kind> kinds;
  for (const auto& n : spec.linux.namespaces)
    if (n.path.empty()) kinds.push_back(n.kind);
  return kinds;
}

}  // namespace

sys::ExitStatus run(const Spec& spec, const RunOptions& run_options) {
  validate(spec);
  sys::SpawnOptions options;
  options.args = spec.process.args;
  options.env = spec.process.env;
  options.clone_flags = ns::clone_flags(namespaces_to_create(spec));
  options.stdin_fd = run_options.stdin_fd;
  options.stdout_fd = run_options.stdout_fd;
  options.stderr_fd = run_options.stderr_fd;
  options.child_setup = [&spec] { init_child(spec); };
  if (spec.creates(ns::Kind::user))
    options.before_exec = [&spec](pid_t pid) {
      ns::write_id_maps(pid, spec.linux.uid_mappings, spec.linux.gid_mappings);
    };
  sys::SignalBlock block(sys::forwarded_signals());
  sys::Child child = sys::spawn(options);
  if (run_options.on_started) run_options.on_started(child.pid());
  return sys::wait_forwarding_signals(child, block);
}

}  // namespace boxlab::container
