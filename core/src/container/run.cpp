// Run: from a spec to an exit status, in the foreground.
//
// The steps, in the order the lessons teach them:
//  1. check the spec (rootfs, hostname, limits) before anything is created;
//  2. record the container (its id, locked) so a sweep can find whatever follows;
//  3. create its cgroup with the limits (lab 04);
//  4. block the signals we forward, so none is lost before we wait;
//  5. clone3 the child into its new namespaces; it waits on the sync pipe;
//  6. parent: put it in the cgroup, write its uid/gid maps, then let it go;
//  7. child: enter a new cgroup namespace (now rooted at its own cgroup), init_child (mounts,
//     pivot_root, hostname), then exec the command;
//  8. parent: forward signals until the child exits; read whether the OOM killer struck.
// The cgroup and the record are owned by guards: any exception, or the normal end, removes them.
//
// Interface: run
#include "boxlab/container/run.hpp"

#include <sched.h>
#include <unistd.h>

#include <optional>

#include "boxlab/cgroup/cgroup.hpp"
#include "boxlab/container/init.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/fs/pivot.hpp"
#include "boxlab/ns/uts.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/signals.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::container {
namespace {

bool has_cgroup(const Spec& spec) { return !spec.linux.cgroups_path.empty(); }

void validate(const Spec& spec) {
  if (spec.process.args.empty()) throw Error("no command given");
  if (!spec.root.path.empty()) fs::validate_rootfs(spec.root.path);
  if (!spec.hostname.empty()) ns::validate_hostname(spec.hostname);
  if (spec.creates(ns::Kind::user) && spec.linux.uid_mappings.empty())
    throw Error("a user namespace needs uid mappings");
  if (has_cgroup(spec)) cgroup::validate_on_this_machine(spec.linux.resources);
}

// The cgroup namespace is created by the child after it has joined its cgroup (step 7): made at
// clone time, its root would be the runtime's cgroup and the container would see its parent.
std::vector<ns::Kind> namespaces_to_clone(const Spec& spec) {
  std::vector<ns::Kind> kinds;
  for (const auto& n : spec.linux.namespaces)
    if (n.path.empty() && !(n.kind == ns::Kind::cgroup && has_cgroup(spec))) kinds.push_back(n.kind);
  return kinds;
}

sys::SpawnOptions spawn_options(const Spec& spec, const RunOptions& run_options, cgroup::Cgroup* cg) {
  sys::SpawnOptions options;
  options.args = spec.process.args;
  options.env = spec.process.env;
  options.clone_flags = ns::clone_flags(namespaces_to_clone(spec));
  options.stdin_fd = run_options.stdin_fd;
  options.stdout_fd = run_options.stdout_fd;
  options.stderr_fd = run_options.stderr_fd;
  bool late_cgroup_ns = cg && spec.creates(ns::Kind::cgroup);
  options.child_setup = [&spec, late_cgroup_ns] {
    if (late_cgroup_ns) with_context("create the cgroup namespace", [] { sys::unshare(CLONE_NEWCGROUP); });
    init_child(spec);
  };
  options.before_exec = [&spec, cg](pid_t pid) {
    if (cg) cg->add_process(pid);
    if (spec.creates(ns::Kind::user)) ns::write_id_maps(pid, spec.linux.uid_mappings, spec.linux.gid_mappings);
  };
  return options;
}

}  // namespace

RunResult run(const Spec& spec, const RunOptions& run_options) {
  validate(spec);
  State state;
  // The record's id names the cgroup too, so a sweep finds one from the other.
  state.id = !run_options.id.empty() ? run_options.id
             : !spec.linux.cgroups_path.empty() ? spec.linux.cgroups_path
                                                 : new_container_id();
  state.command = spec.process.args;
  state.runtime_pid = ::getpid();
  state.runtime_start_time = sys::process_start_time(state.runtime_pid);
  std::optional<StateRecord> record;
  if (!run_options.containers_dir.empty()) record.emplace(StateRecord::create(run_options.containers_dir, state));

  std::optional<cgroup::Cgroup> cg;
  if (has_cgroup(spec)) {
    cg.emplace(cgroup::Cgroup::create(cgroup::detect_layout(), spec.linux.cgroups_path, spec.linux.resources));
    state.cgroup_dirs = cg->directories();
    if (record) record->update(state);
  }

  sys::SignalBlock block(sys::forwarded_signals());
  sys::SpawnOptions options = spawn_options(spec, run_options, cg ? &*cg : nullptr);
  if (record) options.close_in_child.push_back(record->lock_fd());  // the lock must die with us
  // Recorded as running before it is let go, so whoever sees its first output finds it running.
  options.before_exec = [&, join = options.before_exec](pid_t pid) {
    join(pid);
    if (run_options.before_start) run_options.before_start(pid);
    state.status = "running";
    state.pid = pid;
    state.pid_start_time = sys::process_start_time(pid);
    if (record) record->update(state);
  };
  sys::Child child = sys::spawn(options);
  if (run_options.on_started) run_options.on_started(child.pid());

  RunResult result{run_options.terminal ? sys::relay_terminal(child, block, *run_options.terminal)
                                        : sys::wait_forwarding_signals(child, block),
                   false, state.id};
  if (cg) {
    // LAB 04 BEGIN: tell an OOM kill from any other end: the cgroup's oom_kill counter
    result.oom_killed = cg->stats().oom_kills > 0;
    // LAB 04 END
  }
  return result;
}

}  // namespace boxlab::container
