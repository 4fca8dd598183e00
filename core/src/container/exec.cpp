// exec: a second process in a running container.
//
// A container is nothing but a set of namespaces, a cgroup and a root filesystem held by its
// processes, so joining it is joining those. The order matters (nsenter(1) and runc's nsexec
// do the same): the PID namespace is entered by the parent, because setns(CLONE_NEWPID) only
// decides where the caller's next child lives; the child then enters IPC, UTS, network and
// cgroup namespaces, and the mount namespace last, which also moves its root and working
// directory to the container's root (setns(2)). The parent puts the child in the container's
// cgroup before it execs, so the new process is counted and limited from its first
// instruction.
//
// Interface: exec_in_container
#include "boxlab/container/exec.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "boxlab/cgroup/cgroup.hpp"
#include "boxlab/ns/namespace.hpp"
#include "boxlab/security/capabilities.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/relay.hpp"
#include "boxlab/sys/signals.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/terminal.hpp"

namespace boxlab::container {

namespace {

Process exec_process(const Container& c, const ExecOptions& options) {
  Process process = c.config.spec.process;
  process.args = options.args;
  RunRequest request;
  request.command = options.args;
  request.entrypoint = "";
  request.env = options.env;
  image::ContainerConfig base;
  base.env = process.env;
  base.working_dir = options.workdir.value_or(process.cwd);
  // A -u name is looked up in the container's own passwd, through its root as the kernel shows
  // it to the host (/proc/PID/root), confined there by openat2.
  Process merged = process_for_image(base, request, "/proc/" + std::to_string(c.state.pid) + "/root");
  process.env = merged.env;
  process.cwd = merged.cwd;
  if (options.user) {
    ResolvedUser user = resolve_user("/proc/" + std::to_string(c.state.pid) + "/root", *options.user);
    process.uid = user.uid;
    process.gid = user.gid;
  }
  process.terminal = options.terminal;
  return process;
}

void join_cgroup(const std::string& id, pid_t pid) {
  for (const auto& dir : cgroup::directories_of(cgroup::detect_layout(), id))
    if (sys::exists(dir + "/cgroup.procs")) sys::write_file(dir + "/cgroup.procs", std::to_string(pid));
}

}  // namespace

int exec_in_container(const Containers& containers, const std::string& ref, const ExecOptions& options) {
  Container c = containers.store.find(ref);
  if (!is_running(c) || !c.process_alive())
    throw Error("container " + c.config.id + " is not running", 1);
  if (options.args.empty()) throw Error("exec needs a command");
  Process process = exec_process(c, options);
  pid_t target = c.state.pid;

  std::optional<sys::PtyPair> pty;
  sys::UniqueFd no_input;
  sys::SpawnOptions spawn;
  spawn.args = process.args;
  spawn.env = process.env;
  if (options.terminal) {
    pty = sys::open_pty();
    spawn.stdin_fd = spawn.stdout_fd = spawn.stderr_fd = pty->slave.get();
  } else if (!options.interactive) {
    no_input = sys::open("/dev/null", O_RDONLY);
    spawn.stdin_fd = no_input.get();
  }
  spawn.child_setup = [&] {
    // LAB 07 BEGIN: enter the container's IPC, UTS, network, cgroup and (last) mount namespaces
    for (ns::Kind kind : {ns::Kind::ipc, ns::Kind::uts, ns::Kind::net, ns::Kind::cgroup, ns::Kind::mnt})
      if (ns::inode(target, kind) != ns::inode(0, kind)) ns::enter(target, kind);
    // LAB 07 END
    if (process.terminal) {
      sys::setsid();
      sys::make_controlling_terminal(0);
    }
    if (process.capabilities) security::drop_bounding_set(*process.capabilities);
    sys::set_ids(process.uid, process.gid);
    if (process.capabilities && process.uid == 0) security::set_process_capabilities(*process.capabilities);
    sys::chdir(process.cwd);
  };
  spawn.before_exec = [&](pid_t pid) { join_cgroup(c.config.id, pid); };

  // The PID namespace is entered here, in the parent: it applies to the child spawned next.
  ns::enter(target, ns::Kind::pid);
  sys::SignalBlock block(sys::forwarded_signals());
  sys::Child child = sys::spawn(spawn);
  no_input.reset();
  if (pty) {
    pty->slave.reset();
    return sys::relay_terminal(child, block, {pty->master.get(), options.interactive ? 0 : -1, 1, options.size_source})
        .docker_code();
  }
  return sys::wait_forwarding_signals(child, block).docker_code();
}

}  // namespace boxlab::container
