// Lab 01 checks, processes: exit codes as Docker reports them, signals passed on, and a
// container that is an ordinary host process. They also run against every later lab (--all),
// where the command is PID 1 of a new PID namespace, so each one must hold there too.
#include <signal.h>

#include <fmt/core.h>

#include <filesystem>
#include <fstream>

#include "../src/context.hpp"
#include "../src/diagnose.hpp"
#include "../src/probe_client.hpp"
#include "../src/processes.hpp"
#include "boxlab/sys/syscall.hpp"
#include "checks.hpp"

namespace checker {

namespace {

void echo_output(Context& ctx) {
  LabRun r = ctx.run({"run", "/bin/echo", "hi"});
  expect_exit(r, 0, "`run /bin/echo hi` to exit 0");
  if (r.out != "hi\n")
    throw wrong_output(r, "exactly \"hi\\n\" on stdout",
                       "the command must write to the lab's own stdout: do not redirect or capture it");
}

void exit_status(Context& ctx) {
  LabRun r = ctx.run({"run", "/bin/sh", "-c", "exit 3"});
  expect_exit(r, 3, "exit status 3, the command's own");
}

void not_found(Context& ctx) {
  // A path, not a bare name: from lab 07 on, a bare name after `run` is an image.
  LabRun r = ctx.run({"run", (ctx.work_dir() / "boxlab-no-such-command").string()});
  expect_exit(r, 127, "exit status 127 (command not found), as docker run reports it");
  require(count_lines(r.err) == 1 && r.err.find("boxlab-no-such-command") != std::string::npos,
          {"one line on stderr that names the missing command", describe_run(r),
           "print the error once, in main, and say which command was not found"});
}

void cannot_invoke(Context& ctx) {
  auto file = ctx.work_dir() / "not-executable";
  std::ofstream(file) << "#!/bin/sh\necho should not run\n";
  std::filesystem::permissions(file, std::filesystem::perms(0644));
  LabRun r = ctx.run({"run", file.string()});
  expect_exit(r, 126, "exit status 126 (found but cannot be executed) for a file without x permission");
  require(r.out.empty(), {"the file not to run", "stdout \"" + first_line(r.out) + "\"",
                          "a file without execute permission must not be run through a shell"});
}

// The host kills the container's process with SIGKILL; the lab must report 128+9. (The command
// cannot kill itself: PID 1 of a namespace ignores even SIGKILL from inside, pid_namespaces(7).)
void killed_by_signal(Context& ctx) {
  LabProcess lab = ctx.start({"run", ctx.probe().string(), "sleep", "30"});
  ctx.wait_for_output(lab, has_complete_line);
  auto children = children_of(lab.pid());
  require(!children.empty(), {"the command running as a child of the lab", "no child of the lab's pid",
                              "the lab must fork (clone) and exec the command in the child"});
  for (const auto& c : children) boxlab::sys::kill(c.pid, SIGKILL);
  ctx.log(fmt::format("sent SIGKILL to the command (host pid {})", children.front().pid));
  LabRun r = ctx.finish(lab);
  expect_exit(r, 137, "exit status 137 (128 + SIGKILL) when the command is killed by SIGKILL");
}

void signal_forwarded(Context& ctx) {
  LabProcess lab = ctx.start({"run", ctx.probe().string(), "signal"});
  ctx.wait_for_output(lab, [](const std::string& out) { return out.find("ready\n") != std::string::npos; });
  lab.signal(SIGTERM);
  ctx.log(fmt::format("sent SIGTERM to the lab (pid {})", lab.pid()));
  LabRun r = ctx.finish(lab);
  if (r.code() == 128 + SIGTERM)
    throw Failure({"exit status 42: the command's SIGTERM handler ran", describe_run(r),
                   "the lab itself died of SIGTERM: block the signals you forward before "
                   "starting the child, and pass them on with kill(child, sig)"});
  expect_exit(r, 42, "exit status 42: the command's SIGTERM handler ran");
}

void host_sees_process(Context& ctx) {
  LabProcess lab = ctx.start({"run", ctx.probe().string(), "sleep", "30"});
  Json report = parse_probe_output(ctx.wait_for_output(lab, has_complete_line));
  auto children = children_of(lab.pid());
  std::string probe = ctx.probe().string();
  bool found = false;
  for (const auto& c : children) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(c.pid) + "/exe", ec);
    ctx.log(fmt::format("host: pid {} ({}) is a child of the lab, exe {}", c.pid, c.comm, exe.string()));
    found = found || exe.string() == probe;
  }
  ctx.stop(lab);
  require(found, {"the probe in the host's process table, a child of the lab's pid " + std::to_string(lab.pid()),
                  fmt::format("{} children of the lab, none running {}", children.size(), probe),
                  "a container is an ordinary process: the lab should fork and exec the command, "
                  "not run it in its own process"});
  require(report.value("pid", 0) > 0, {"the probe to report its pid", report.dump().substr(0, 200), ""});
}

// A shell wrapper opens fds 7 and 9 without close-on-exec, then execs the lab: the lab
// inherits them, and must not pass them on to the container.
void no_fd_leak(Context& ctx) {
  LabRun r = ctx.run_argv({"/bin/sh", "-c", "exec 7</dev/null 9>/dev/null; exec \"$0\" \"$@\"",
                           ctx.bin().string(), "run", ctx.probe().string()});
  Json report = probe_report(r);
  std::vector<int> fds = report.value("fds", std::vector<int>{});
  require(fds == std::vector<int>{0, 1, 2},
          {"the command's open fds to be exactly 0, 1, 2", "fds " + Json(fds).dump(),
           "open everything close-on-exec (O_CLOEXEC, pipe2), and close the rest before exec "
           "(close_range): an inherited fd can reach the host from the container"});
}

}  // namespace

std::vector<Check> lab01_checks() {
  using std::chrono::milliseconds;
  return {
      {"echo_output", 1, "run /bin/echo hi prints hi and exits 0", 2, "", milliseconds(10000), echo_output},
      {"exit_status", 1, "the command's exit status is the lab's", 2, "echo_output", milliseconds(10000), exit_status},
      {"not_found", 1, "a missing command exits 127 with one line", 2, "echo_output", milliseconds(10000), not_found},
      {"cannot_invoke", 1, "a non-executable file exits 126", 1, "echo_output", milliseconds(10000), cannot_invoke},
      {"killed_by_signal", 1, "a command killed by SIGKILL exits 137", 2, "exit_status", milliseconds(10000), killed_by_signal},
      {"signal_forwarded", 1, "SIGTERM to the lab reaches the command", 2, "exit_status", milliseconds(10000), signal_forwarded},
      {"host_sees_process", 1, "the container is a host process, a child of the lab", 2, "echo_output", milliseconds(10000), host_sees_process},
      {"no_fd_leak", 1, "the command gets only fds 0, 1, 2", 2, "echo_output", milliseconds(10000), no_fd_leak},
  };
}

}  // namespace checker
