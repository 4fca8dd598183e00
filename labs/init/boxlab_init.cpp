// boxlab-init: the tiny init `run --init` puts in front of a container's command.
//
// Without it the container's command is PID 1 of its PID namespace, and PID 1 is special
// (pid_namespaces(7)): the kernel sends it only the signals it has a handler for, so a shell or
// `sleep` ignores the SIGTERM of `stop` and is SIGKILLed ten seconds later; and every orphan in
// the namespace is re-parented to it, so a PID 1 that never calls wait(2) on children it did
// not start collects zombies. Docker's answer is tini, bind-mounted as /sbin/docker-init; this
// is the same idea in a page of code.
//
// What it does:
//   1. Block every asynchronous signal, so they queue for sigtimedwait(2) instead of being
//      delivered (the synchronous ones, SIGSEGV and friends, stay unblocked: they are faults).
//   2. Fork the command into a process group of its own; on a terminal, make that group the
//      foreground one (tcsetpgrp(3)), so ^C and window changes go to the command, not to us.
//   3. Loop: a signal from outside (stop's SIGTERM, kill -s HUP) is forwarded to the command;
//      SIGCHLD (or a one-second tick) reaps every child that ended, adopted orphans included.
//   4. When the command itself ends, exit with its status (128 + the signal that killed it),
//      which ends the PID namespace: the kernel kills what is left (pid_namespaces(7)).
//
// It is linked statically and uses nothing but libc: it runs inside any image.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace {

// Signals that are faults of the process itself: blocking them would hang it (sigprocmask(2)).
constexpr int kSynchronousSignals[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS};

sigset_t signals_to_wait_for() {
  sigset_t set;
  sigfillset(&set);
  for (int s : kSynchronousSignals) sigdelset(&set, s);
  // Job-control signals for a background process group: ignored below, not waited for.
  sigdelset(&set, SIGTTIN);
  sigdelset(&set, SIGTTOU);
  return set;
}

[[noreturn]] void run_command(char** argv, const sigset_t& original_mask) {
  setpgid(0, 0);
  // SIGTTOU is still ignored here, which is what lets a background group take the terminal.
  if (isatty(STDIN_FILENO)) tcsetpgrp(STDIN_FILENO, getpid());
  signal(SIGTTIN, SIG_DFL);
  signal(SIGTTOU, SIG_DFL);
  sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  execvp(argv[0], argv);
  int err = errno;
  fprintf(stderr, "boxlab-init: exec %s: %s\n", argv[0], strerror(err));
  _exit(err == ENOENT ? 127 : 126);
}

// Reap every child that has ended; return true (and its status) when @p command was one.
bool reap_children(pid_t command, int& status) {
  bool command_ended = false;
  int st = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
    if (pid == command) {
      command_ended = true;
      status = st;
    }
  return command_ended;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

}  // namespace

int main(int argc, char** argv) {
  int first = 1;
  if (first < argc && strcmp(argv[first], "--") == 0) ++first;
  if (first >= argc) {
    fprintf(stderr, "usage: boxlab-init [--] COMMAND [ARG...]\n");
    return 125;
  }
  sigset_t waited = signals_to_wait_for(), original_mask;
  sigprocmask(SIG_BLOCK, &waited, &original_mask);
  signal(SIGTTIN, SIG_IGN);
  signal(SIGTTOU, SIG_IGN);

  pid_t command = fork();
  if (command < 0) {
    perror("boxlab-init: fork");
    return 125;
  }
  if (command == 0) run_command(argv + first, original_mask);

  const struct timespec tick = {1, 0};
  for (;;) {
    siginfo_t info;
    int sig = sigtimedwait(&waited, &info, &tick);
    if (sig > 0 && sig != SIGCHLD) kill(command, sig);
    int status = 0;
    if (reap_children(command, status)) return exit_code_of(status);
  }
}
