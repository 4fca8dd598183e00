// Processes: fork, exec, and knowing which of them failed.
//
// A shell runs a command with fork(2), execve(2) in the child, and waitpid(2) in the parent.
// A runtime needs one more thing: to tell "the command ran and exited 127" from "the command
// does not exist". runc and crun solve it with a pipe whose write end is close-on-exec: the
// child writes its error there if a step fails; if execve succeeds, the kernel closes the pipe
// and the parent's read returns 0 (EOF). So EOF means exactly "the command is running now".
//
// A second pipe runs the other way: the child blocks on it until the parent has finished the
// parent-side set-up (uid maps, cgroups), so the command never runs unconfined, not even briefly.
//
// The child never lets an exception escape: run_child catches it and writes it to the pipe,
// then _exit()s without running the parent's atexit handlers or destructors.
//
// Interface: spawn, exec, current_environment, Child::{wait,try_wait,wait_for,kill},
//   ExitStatus::{from_wait_status,describe}
#include "boxlab/sys/process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/signals.hpp"
#include "boxlab/sys/syscall.hpp"

extern char** environ;

namespace boxlab::sys {
namespace {

// What a failed child writes on the error pipe, followed by the message text.
struct ChildReport {
  int err;
  int exit_code;
};

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

int exit_code_for_exec_errno(int err) {
  return (err == ENOENT || err == ENOTDIR) ? kExitNotFound : kExitCannotInvoke;
}

std::string path_of(const std::vector<std::string>& env) {
  for (const auto& kv : env)
    if (kv.rfind("PATH=", 0) == 0) return kv.substr(5);
  return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

// Write a report without allocating or throwing: the child may be in a broken state.
void report_to_parent(int fd, int err, int exit_code, const char* message) noexcept {
  ChildReport report{err, exit_code};
  std::string buffer(reinterpret_cast<const char*>(&report), sizeof report);
  buffer += message;
  (void)!::write(fd, buffer.data(), buffer.size());
}

// Start from a clean slate: the runtime blocks signals it forwards, and exec keeps the mask.
void reset_signals() {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
}

[[noreturn]] void run_child(const SpawnOptions& options, const std::vector<std::string>& env,
                            Pipe& error_pipe, Pipe& sync_pipe) noexcept {
  int report_fd = error_pipe.write_end.get();
  for (int fd : options.close_in_child) ::close(fd);
  // The parent's ends, closed here: should the parent die before it lets us go (even before
  // the death signal below is armed), the read on the sync pipe then ends with EOF instead of
  // waiting forever on a write end we hold ourselves.
  sync_pipe.write_end.reset();
  error_pipe.read_end.reset();
  try {
    // If the runtime dies before we exec, die too (the container must not run unwatched).
    set_parent_death_signal(SIGKILL);
    char go = 0;
    if (sys::read(sync_pipe.read_end.get(), &go, 1) != 1) _exit(kExitRuntimeError);
    if (options.new_process_group) setpgid(0, 0);
    if (options.stdin_fd >= 0) dup2(options.stdin_fd, 0);
    if (options.stdout_fd >= 0) dup2(options.stdout_fd, 1);
    if (options.stderr_fd >= 0) dup2(options.stderr_fd, 2);
    reset_signals();
    if (options.child_setup) options.child_setup();
    // Nothing but 0, 1 and 2 may reach the command; the error pipe closes at exec, too.
    close_range_cloexec(3);
    exec(options.args, env);
  } catch (const Error& e) {
    report_to_parent(report_fd, e.errno_value(), e.exit_code(), e.what());
  } catch (const std::exception& e) {
    report_to_parent(report_fd, 0, kExitRuntimeError, e.what());
  }
  _exit(kExitRuntimeError);
}

// Read the child's report; returns normally only on EOF with nothing read (exec succeeded).
void check_child_report(int fd, Child& child) {
  std::string data;
  char buf[4096];
  while (size_t n = sys::read(fd, buf, sizeof buf)) data.append(buf, n);
  if (data.empty()) return;
  child.wait();
  if (data.size() < sizeof(ChildReport)) throw Error("child failed before exec without a report");
  ChildReport report;
  std::memcpy(&report, data.data(), sizeof report);
  throw Error::reported(report.err, data.substr(sizeof report), report.exit_code);
}

}  // namespace

std::string ExitStatus::describe() const {
  if (signaled) return "killed by signal " + std::to_string(signal) + " (" + signal_name(signal) + ")";
  return "exited with code " + std::to_string(code);
}

ExitStatus ExitStatus::from_wait_status(int status) {
  // LAB 01 BEGIN: decode a waitpid status: exited with a code, or killed by a signal
  ExitStatus out;
  if (WIFSIGNALED(status)) {
    out.signaled = true;
    out.signal = WTERMSIG(status);
  } else {
    out.code = WEXITSTATUS(status);
  }
  return out;
  // LAB 01 END
}

Child::Child(Child&& other) noexcept : pid_(std::exchange(other.pid_, -1)), reaped_(other.reaped_) {}

Child::~Child() {
  if (pid_ <= 0 || reaped_) return;
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
}

ExitStatus Child::wait() {
  // LAB 01 BEGIN: wait for the child with waitpid and return how it ended
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0)
    if (errno != EINTR) throw_errno("waitpid " + std::to_string(pid_));
  reaped_ = true;
  return ExitStatus::from_wait_status(status);
  // LAB 01 END
}

std::optional<ExitStatus> Child::try_wait() {
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r < 0) throw_errno("waitpid " + std::to_string(pid_));
  if (r == 0) return std::nullopt;
  reaped_ = true;
  return ExitStatus::from_wait_status(status);
}

std::optional<ExitStatus> Child::wait_for(std::chrono::milliseconds timeout) {
  UniqueFd pidfd = pidfd_open(pid_);
  pollfd p{pidfd.get(), POLLIN, 0};
  int ms = static_cast<int>(timeout.count());
  int r;
  while ((r = ::poll(&p, 1, ms)) < 0 && errno == EINTR) {
  }
  if (r < 0) throw_errno("poll pidfd of " + std::to_string(pid_));
  if (r == 0) return std::nullopt;
  return wait();
}

void Child::kill(int sig, bool group) const { sys::kill(group ? -pid_ : pid_, sig); }

Child spawn(const SpawnOptions& options) {
  if (options.args.empty()) throw Error("no command given");
  std::vector<std::string> env = options.env ? *options.env : current_environment();
  // LAB 01 BEGIN: start the child (clone3), hold it on the sync pipe, read its error report
  Pipe error_pipe = pipe2();
  Pipe sync_pipe = pipe2();
  pid_t pid = clone3(options.clone_flags);
  if (pid == 0) run_child(options, env, error_pipe, sync_pipe);
  Child child(pid);
  error_pipe.write_end.reset();
  sync_pipe.read_end.reset();
  if (options.before_exec) options.before_exec(pid);
  write_all(sync_pipe.write_end.get(), "g");
  sync_pipe.write_end.reset();
  check_child_report(error_pipe.read_end.get(), child);
  return child;
  // LAB 01 END
}

void exec(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  if (args.empty()) throw Error("no command given");
  std::vector<char*> argv = c_strings(args);
  std::vector<char*> envp = c_strings(env);
  const std::string& command = args[0];
  // LAB 01 BEGIN: execve the command, searching the container's own PATH when it has no '/'
  if (command.find('/') != std::string::npos) {
    ::execve(command.c_str(), argv.data(), envp.data());
    int err = errno;
    throw Error(err, "exec " + command, exit_code_for_exec_errno(err));
  }
  bool found_but_denied = false;
  std::string path = path_of(env);
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + command;
    ::execve(candidate.c_str(), argv.data(), envp.data());
    if (errno == EACCES) found_but_denied = true;
    else if (errno != ENOENT && errno != ENOTDIR) throw Error(errno, "exec " + candidate, kExitCannotInvoke);
    start = end + 1;
  }
  if (found_but_denied) throw Error(EACCES, "exec " + command, kExitCannotInvoke);
  throw Error("exec: \"" + command + "\": executable file not found in $PATH", kExitNotFound);
  // LAB 01 END
}

std::vector<std::string> current_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
  return out;
}

}  // namespace boxlab::sys
