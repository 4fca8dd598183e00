// Lab 07 checks, containers from images: the image's config reaches the process; a container
// has namespaces and a cgroup of its own, Docker's capabilities and no fd of the runtime; logs
// outlive the container; stop escalates to SIGKILL after -t; restart=always restarts a crashing
// container and stop ends it for good; exec lands in the same namespaces and cgroup; bad input
// is one line with Docker's exit code and creates nothing. The image is made here: busybox plus
// the probe, loaded from a docker-save archive written by hand, with an Env, a Cmd and a
// WorkingDir of its own.
#include <fmt/core.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "../src/context.hpp"
#include "../src/diagnose.hpp"
#include "../src/probe_client.hpp"
#include "boxlab/image/digest.hpp"
#include "boxlab/ns/namespace.hpp"
#include "boxlab/sys/syscall.hpp"
#include "checks.hpp"
#include "image_probe.hpp"
#include "rootfs.hpp"

namespace checker {

namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

std::vector<std::string> env_of(const Json& report) {
  std::vector<std::string> env;
  for (const auto& e : report.value("env", Json::array())) env.push_back(e.get<std::string>());
  return env;
}

bool has(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// The probe's report, printed by a detached container and read back with `logs`.
Json logged_report(Context& ctx, const std::string& name) {
  for (int i = 0; i < 200; ++i) {
    LabRun logs = ctx.run({"logs", name});
    if (logs.code() == 0 && has_complete_line(logs.out)) return parse_probe_output(logs.out);
    std::this_thread::sleep_for(20ms);
  }
  throw Failure({"the probe's report in `logs " + name + "`", "nothing after 4 s", "pump the container's stdout into its log"});
}

void image_config_applied(Context& ctx) {
  load_probe_image(ctx);
  Json report = probe_report(ctx.run({"run", "--rm", kImage}));
  std::vector<std::string> env = env_of(report);
  require(has(env, "GREETING=from-image"), {"the image's Env (GREETING=from-image) in the process", join(env),
                                           "start from the image config's Env"});
  require(report.value("cwd", "") == "/tmp", {"the image's WorkingDir /tmp", report.value("cwd", ""), "chdir to WorkingDir"});
  report = probe_report(ctx.run({"run", "--rm", "-e", "GREETING=from-flag", "-w", "/", kImage}));
  require(has(env_of(report), "GREETING=from-flag") && !has(env_of(report), "GREETING=from-image"),
          {"-e GREETING=from-flag to replace the image's value", join(env_of(report)), "a -e key replaces the image's"});
  require(report.value("cwd", "") == "/", {"-w / to win over WorkingDir", report.value("cwd", ""), "-w overrides WorkingDir"});
}

void isolated_container(Context& ctx) {
  load_probe_image(ctx);
  expect_exit(ctx.run({"run", "-d", "--name", "iso", kImage, "/probe", "sleep", "60"}), 0, "run -d --name iso");
  Json report = logged_report(ctx, "iso");
  Json state = inspect(ctx, "iso")["State"];
  require(report.value("pid", 0) == 1, {"the probe to be PID 1 of its own PID namespace", std::to_string(report.value("pid", 0)),
                                        "create a PID namespace (and no --init by default)"});
  for (const char* kind : {"pid", "mnt", "uts", "ipc", "net", "cgroup"}) {
    long inside = report["namespaces"].value(kind, 0L);
    long host = static_cast<long>(boxlab::ns::inode(0, boxlab::ns::parse_kind(kind)));
    require(inside != 0 && inside != host, {std::string("a ") + kind + " namespace of its own", "the host's", "clone it"});
  }
  // The host's view of the container's cgroup: inside, a cgroup namespace shows it as "/".
  std::string id = inspect(ctx, "iso").value("Id", "");
  std::string host_view = state.value("Pid", 0) > 0 && boxlab::sys::exists("/proc/" + std::to_string(state.value("Pid", 0)))
                              ? boxlab::sys::read_file("/proc/" + std::to_string(state.value("Pid", 0)) + "/cgroup")
                              : "(no process)";
  require(host_view.find("boxlab/" + id) != std::string::npos,
          {"the container in a cgroup of its own (boxlab/" + id.substr(0, 12) + "…)", host_view,
           "create boxlab/<id> below the runtime's cgroup and join it before exec"});
  std::string fds = report["fds"].dump();
  require(fds == "[0,1,2]", {"PID 1 to have only fds 0, 1 and 2", fds, "close every other fd of the runtime (O_CLOEXEC, close_range)"});
  std::string caps = report["capabilities"].value("effective", "");
  require(caps == "00000000a80425fb", {"Docker's 14 default capabilities (CapEff 00000000a80425fb)", caps,
                                       "drop the bounding set to Docker's list and set the process's sets"});
  require(state.value("Status", "") == "running" && state.value("Pid", 0) > 0,
          {"inspect's State.Status running with a Pid", state.dump(), "record running and the host PID"});
  expect_exit(ctx.run({"rm", "-f", "iso"}), 0, "rm -f iso");
}

void logs_survive(Context& ctx) {
  load_probe_image(ctx);
  LabRun run = ctx.run({"run", "--name", "talk", kImage, "/bin/sh", "-c", "echo out; echo err >&2; exit 4"});
  expect_exit(run, 4, "run to return the container's exit code 4");
  LabRun logs = ctx.run({"logs", "talk"});
  expect_exit(logs, 0, "logs of the exited container");
  require(logs.out == "out\nerr\n", wrong_output(logs, "\"out\\nerr\\n\"", "keep both streams in the log, in order").cause());
  std::string id = inspect(ctx, "talk").value("Id", "");
  stdfs::path file = ctx.state_root() / "containers" / id / (id + "-json.log");
  std::string raw = stdfs::exists(file) ? boxlab::sys::read_file(file) : "(no file " + file.string() + ")";
  require(raw.find(R"("log":"err\n","stream":"stderr")") != std::string::npos,
          {"Docker's json-file lines in " + file.string(), raw, "{\"log\":\"err\\n\",\"stream\":\"stderr\",\"time\":…}"});
  expect_exit(ctx.run({"rm", "talk"}), 0, "rm talk");
  require(ctx.run({"logs", "talk"}).code() != 0, {"logs of a removed container to fail", "it worked", "rm removes the log"});
}

void stop_escalates(Context& ctx) {
  load_probe_image(ctx);
  expect_exit(ctx.run({"run", "-d", "--name", "stubborn", kImage, "/bin/sh", "-c", "while :; do sleep 1; done"}), 0, "run -d");
  int pid = inspect(ctx, "stubborn")["State"].value("Pid", 0);
  auto started = std::chrono::steady_clock::now();
  expect_exit(ctx.run({"stop", "-t", "1", "stubborn"}), 0, "stop -t 1 stubborn");
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  Json state = inspect(ctx, "stubborn")["State"];
  ctx.run({"rm", "-f", "stubborn"});
  require(took >= 0.9, {"stop to wait -t 1 second for SIGTERM (sh as PID 1 ignores it)", fmt::format("{:.2f} s", took),
                        "send SIGTERM, wait -t seconds, then SIGKILL"});
  require(state.value("ExitCode", 0) == 137 && state.value("Status", "") == "exited",
          {"Status exited, ExitCode 137 (SIGKILL)", state.dump(), "after the timeout, SIGKILL; record 128+9"});
  require(!boxlab::sys::exists("/proc/" + std::to_string(pid)), {"the container's process gone", "it still runs", "SIGKILL it"});
}

void restart_always(Context& ctx) {
  load_probe_image(ctx);
  expect_exit(ctx.run({"run", "-d", "--name", "crash", "--restart", "always", kImage, "/bin/sh", "-c", "echo run; exit 1"}),
              0, "run -d --restart always");
  int restarts = 0;
  for (int i = 0; i < 150 && restarts < 2; ++i) {
    std::this_thread::sleep_for(50ms);
    restarts = inspect(ctx, "crash").value("RestartCount", 0);
  }
  require(restarts >= 2, {"RestartCount to reach 2 within 7 s (back-off 100 ms, 200 ms, …)", std::to_string(restarts),
                          "a monitor starts it again when the policy says so"});
  expect_exit(ctx.run({"stop", "-t", "1", "crash"}), 0, "stop crash");
  int after_stop = inspect(ctx, "crash").value("RestartCount", 0);
  std::this_thread::sleep_for(1s);
  Json c = inspect(ctx, "crash");
  ctx.run({"rm", "-f", "crash"});
  require(c.value("RestartCount", 0) == after_stop && c["State"].value("Status", "") == "exited",
          {"no restart after stop", c["State"].dump() + " RestartCount " + std::to_string(c.value("RestartCount", 0)),
           "a stopped container is not restarted: leave a stop request the monitor reads"});
}

void exec_joins(Context& ctx) {
  load_probe_image(ctx);
  expect_exit(ctx.run({"run", "-d", "--name", "host", kImage, "/probe", "sleep", "60"}), 0, "run -d");
  Json first = logged_report(ctx, "host");
  Json second = probe_report(ctx.run({"exec", "host", "/probe"}));
  // Both seen from inside: an exec'd process outside the container's cgroup shows another path.
  LabRun own = ctx.run({"exec", "host", "cat", "/proc/self/cgroup"});
  LabRun pid1 = ctx.run({"exec", "host", "cat", "/proc/1/cgroup"});
  ctx.run({"rm", "-f", "host"});
  for (const char* kind : {"pid", "mnt", "uts", "ipc", "net", "cgroup"})
    require(first["namespaces"].value(kind, 0L) == second["namespaces"].value(kind, -1L),
            {std::string("exec in the container's ") + kind + " namespace", second["namespaces"].dump() + " vs " + first["namespaces"].dump(),
             "setns(2) into each namespace of the container's PID 1 (the PID namespace before forking)"});
  expect_exit(own, 0, "exec host cat /proc/self/cgroup");
  require(own.out == pid1.out && !own.out.empty(), {"exec in the container's cgroup: " + pid1.out, own.out,
                                                    "write the new PID to cgroup.procs before exec"});
  require(second.value("pid", 0) > 1, {"the exec'd process to be another PID in the namespace", std::to_string(second.value("pid", 0)), ""});
}

// --init: a tiny init is PID 1; it reaps orphans, and forwards stop's SIGTERM to the command,
// which, not being PID 1, dies of it at once (143) instead of waiting for SIGKILL.
void init_forwards(Context& ctx) {
  load_probe_image(ctx);
  expect_exit(ctx.run({"run", "-d", "--init", "--name", "inited", kImage, "/bin/sh", "-c", "(sleep 0.1 &); exec sleep 60"}),
              0, "run -d --init");
  std::this_thread::sleep_for(1s);
  LabRun pid1 = ctx.run({"exec", "inited", "cat", "/proc/1/comm"});
  LabRun zombies = ctx.run({"exec", "inited", "/bin/sh", "-c", "grep -l 'State:.Z' /proc/[0-9]*/status; true"});
  auto started = std::chrono::steady_clock::now();
  LabRun stop = ctx.run({"stop", "-t", "5", "inited"});
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  Json state = inspect(ctx, "inited")["State"];
  ctx.run({"rm", "-f", "inited"});
  expect_exit(pid1, 0, "exec inited cat /proc/1/comm");
  require(!pid1.out.empty() && pid1.out != "sleep\n",
          {"PID 1 to be the init, not the command", pid1.out, "--init runs the command as the init's child"});
  require(zombies.out.empty(), {"no zombie: the init reaps the orphan", zombies.out, "PID 1 must wait(2) for every child"});
  expect_exit(stop, 0, "stop -t 5 inited");
  require(took < 4 && state.value("ExitCode", 0) == 143,
          {"stop to end it by SIGTERM (exit 143) long before -t 5", fmt::format("{:.2f} s, {}", took, state.dump()),
           "the init forwards SIGTERM to its child, which is not PID 1 and so dies of it"});
}

void bad_input(Context& ctx) {
  load_probe_image(ctx);
  expect_exit(ctx.run({"create", "--name", "taken", kImage}), 0, "create --name taken");
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string says;
  };
  std::vector<Case> cases{
      {{"run", "--name", "taken", kImage}, 125, "already in use"},
      {{"run", "-e", "=x", kImage}, 125, "invalid environment variable"},
      {{"run", "--restart", "sometimes", kImage}, 125, "invalid restart policy"},
      {{"run", "127.0.0.1:9/nope:1"}, 125, "127.0.0.1:9"},
      {{"exec", "taken", "/probe"}, 1, "is not running"},
      {{"logs", "nope"}, 1, "No such container"},
  };
  for (const auto& c : cases) {
    LabRun run = ctx.run(c.args);
    // docker run of a missing image says "Unable to find image … locally" before the error.
    int lines = c.args.back().starts_with("127.0.0.1:9/") ? 2 : 1;
    require(run.code() == c.code && count_lines(run.err) == lines && run.err.find(c.says) != std::string::npos,
            {join(c.args) + ": exit " + std::to_string(c.code) + " and " + std::to_string(lines) + " line(s) saying \"" + c.says + "\"", describe_run(run),
             "check the input before creating anything; catch the error once in main"});
  }
  LabRun ps = ctx.run({"ps", "-a", "-q"});
  require(count_lines(ps.out) == 1, {"only the one created container after the bad runs", ps.out, "bad input creates nothing"});
  ctx.run({"rm", "-f", "taken"});
}

}  // namespace

std::vector<Check> lab07_checks() {
  using std::chrono::milliseconds;
  return {
      {"image_config_applied", 7, "the image's Env and WorkingDir reach the process; -e and -w override them", 3, "", milliseconds(20000), image_config_applied},
      {"isolated_container", 7, "own namespaces and cgroup, PID 1, Docker's capabilities, only fds 0 1 2", 3, "image_config_applied", milliseconds(20000), isolated_container},
      {"logs_survive", 7, "logs (json-file) outlive the container; run returns its exit code", 2, "image_config_applied", milliseconds(20000), logs_survive},
      {"stop_escalates", 7, "stop -t 1: SIGTERM, then SIGKILL after a second; exit code 137", 2, "image_config_applied", milliseconds(25000), stop_escalates},
      {"restart_always", 7, "--restart always restarts a crashing container; stop ends it for good", 2, "image_config_applied", milliseconds(30000), restart_always},
      {"exec_joins", 7, "exec runs in the container's namespaces and cgroup", 3, "image_config_applied", milliseconds(20000), exec_joins},
      {"init_forwards", 7, "--init: a tiny init is PID 1, reaps orphans and forwards SIGTERM (143, not 137)", 2, "stop_escalates", milliseconds(25000), init_forwards},
      {"bad_input", 7, "a taken name, a bad -e or policy, an unknown image or container: one line, docker's code", 2, "image_config_applied", milliseconds(30000), bad_input},
  };
}

}  // namespace checker
