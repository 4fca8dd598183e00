// Lab 04 checks, cgroups: the limit files the kernel holds for the container (read on the host
// and through the probe inside), and the limits at work: a fork bomb stops at --pids-limit, a
// memory hog is OOM-killed and reported as such, a CPU hog gets --cpus of CPU time, stats
// shows the container's own usage; and nothing is left when the runtime dies mid-run.
#include <signal.h>

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <thread>

#include "../src/context.hpp"
#include "../src/diagnose.hpp"
#include "../src/processes.hpp"
#include "../src/probe_client.hpp"
#include "boxlab/cgroup/layout.hpp"
#include "boxlab/sys/syscall.hpp"
#include "checks.hpp"
#include "rootfs.hpp"

namespace checker {

namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kMemory64m = "67108864";

// The container's first process on the host: the lab's child.
pid_t container_pid(Context& ctx, LabProcess& lab) {
  for (int i = 0; i < 200; ++i) {
    auto children = children_of(lab.pid());
    if (!children.empty()) return children.front().pid;
    std::this_thread::sleep_for(10ms);
  }
  throw Failure({"the lab to start the container as its child", "no child process of the lab",
                 "clone the container's process from the lab process itself"});
  (void)ctx;
}

// The path of @p pid's cgroup in the hierarchy holding @p v1_controller, or in the v2 tree.
stdfs::path cgroup_dir_of(pid_t pid, const std::string& v1_controller) {
  auto layout = boxlab::cgroup::detect_layout();
  auto paths = boxlab::cgroup::parse_proc_cgroup(boxlab::sys::read_file("/proc/" + std::to_string(pid) + "/cgroup"));
  if (layout.version == boxlab::cgroup::Version::v2) return layout.unified_mount + paths[""];
  return layout.v1_mounts.at(v1_controller) + paths[v1_controller];
}

std::string trimmed_file(const stdfs::path& file) {
  std::string text = boxlab::sys::read_file(file);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

bool is_v2() { return boxlab::cgroup::detect_layout().version == boxlab::cgroup::Version::v2; }

// A probe sleeping in a container with limits, ready to be inspected from the host.
LabProcess start_limited(Context& ctx, const stdfs::path& rootfs, std::vector<std::string> flags) {
  std::vector<std::string> args{"run", "--rootfs", rootfs.string()};
  args.insert(args.end(), flags.begin(), flags.end());
  for (const char* a : {"/probe", "sleep", "30"}) args.push_back(a);
  LabProcess lab = ctx.start(args);
  ctx.wait_for_output(lab, has_complete_line);
  return lab;
}

void limits_written(Context& ctx) {
  LabProcess lab = start_limited(ctx, make_rootfs(ctx), {"--memory", "64m", "--cpus", "0.5", "--pids-limit", "32"});
  pid_t pid = container_pid(ctx, lab);
  stdfs::path memory = cgroup_dir_of(pid, "memory"), pids = cgroup_dir_of(pid, "pids"), cpu = cgroup_dir_of(pid, "cpu");
  ctx.log("container cgroup (memory): " + memory.string());
  require(memory.parent_path().filename() == "boxlab",
          {"the container in a cgroup named boxlab/<id>", "it is in " + memory.string(),
           "create <your own cgroup>/boxlab/<id> and write the child's PID to its cgroup.procs before exec"});
  bool v2 = is_v2();
  std::string mem = trimmed_file(memory / (v2 ? "memory.max" : "memory.limit_in_bytes"));
  std::string pmax = trimmed_file(pids / "pids.max");
  std::string quota = v2 ? trimmed_file(cpu / "cpu.max") : trimmed_file(cpu / "cpu.cfs_quota_us") + " " +
                                                             trimmed_file(cpu / "cpu.cfs_period_us");
  ctx.stop(lab);
  require(mem == kMemory64m && pmax == "32" && quota == "50000 100000",
          {"memory 67108864, pids 32, cpu \"50000 100000\" (quota and period, us)",
           "memory " + mem + ", pids " + pmax + ", cpu \"" + quota + "\"",
           v2 ? "write memory.max, pids.max and cpu.max (\"QUOTA PERIOD\")"
              : "write memory.limit_in_bytes, pids.max, cpu.cfs_period_us then cpu.cfs_quota_us"});
}

void limits_inside(Context& ctx) {
  Json report = run_probe(ctx, make_rootfs(ctx), {"cgroup"}, {"--memory", "64m", "--pids-limit", "32"});
  Json files = report.value("files", Json::object());
  auto value = [&](const char* v2, const char* v1) {
    std::string text = files.value(v2, Json()).is_string() ? files[v2].get<std::string>()
                       : files.value(v1, Json()).is_string() ? files[v1].get<std::string>() : "(missing)";
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  };
  std::string mem = value("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes");
  std::string pids = value("/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/pids/pids.max");
  require(mem == kMemory64m && pids == "32",
          {"/sys/fs/cgroup inside to show the container's own limits (memory 67108864, pids 32)",
           "memory " + mem + ", pids " + pids,
           "enter a new cgroup namespace AFTER joining the cgroup, then mount cgroupfs read-only at /sys/fs/cgroup"});
  std::string own = report.value("proc_self_cgroup", "");
  std::istringstream lines(own);
  for (std::string line; std::getline(lines, line);)
    require(line.ends_with(":/"), {"/proc/self/cgroup inside to show / (a cgroup namespace rooted at its cgroup)",
                                   "the line \"" + line + "\"",
                                   "unshare(CLONE_NEWCGROUP) in the child once it is in its cgroup"});
}

void fork_bomb_stopped(Context& ctx) {
  Json report = run_probe(ctx, make_rootfs(ctx), {"fork-bomb", "500"}, {"--pids-limit", "20"});
  long forked = report.value("forked", -1L), err = report.value("errno", 0L);
  require(err == EAGAIN && forked >= 10 && forked < 20,
          {"fork to fail with EAGAIN after fewer than 20 processes (--pids-limit 20 counts the probe too)",
           "forked " + std::to_string(forked) + ", errno " + std::to_string(err),
           "write pids.max in the container's cgroup and join it before exec"});
}

void oom_killed(Context& ctx) {
  stdfs::path rootfs = make_rootfs(ctx);
  LabRun r = ctx.run({"run", "--rootfs", rootfs.string(), "--memory", "32m", "--memory-swap", "32m", "/probe",
                      "memory-hog", "512"});
  expect_exit(r, 137, "exit 137: the OOM killer's SIGKILL (memory hog under --memory 32m)");
  require(r.err.find("OOM") != std::string::npos,
          {"stderr to say the container was OOM-killed", describe_run(r),
           "after the container exits, read oom_kill in memory.events (v2) or memory.oom_control (v1)"});
}

void sigkill_is_not_oom(Context& ctx) {
  // From the host: inside, PID 1 cannot be sent SIGKILL by its own namespace (pid_namespaces(7)).
  LabProcess lab = start_limited(ctx, make_rootfs(ctx), {"--memory", "32m"});
  boxlab::sys::kill(container_pid(ctx, lab), SIGKILL);
  LabRun r = ctx.finish(lab);
  expect_exit(r, 137, "exit 137: the container's process was killed with SIGKILL from the host");
  require(r.err.find("OOM") == std::string::npos,
          {"no OOM report for a plain SIGKILL", describe_run(r),
           "report OOM only when the cgroup's oom_kill counter is above 0, not for every exit 137"});
}

// The CPU share a cpu-hog run got: CPU seconds over wall seconds.
double cpu_share(Context& ctx, const LabRun& r) {
  expect_exit(r, 0, "the CPU hog to spin and exit 0");
  Json report = Json::parse(r.out.substr(std::min(r.out.find('{'), r.out.size())), nullptr, false);
  double wall = report.is_object() ? report.value("wall_s", 0.0) : 0, cpu = report.is_object() ? report.value("cpu_s", 0.0) : 0;
  ctx.log(r.command_line() + ": " + std::to_string(cpu) + " s of CPU in " + std::to_string(wall) + " s");
  return wall > 0 ? cpu / wall : 0;
}

void cpu_throttled(Context& ctx) {
  // What an unlimited hog gets right now, on the host: on a busy machine a limited one cannot
  // get its whole quota either, so the lower bound is 80 % of the smaller of the two.
  double baseline = cpu_share(ctx, ctx.run_argv({ctx.probe().string(), "cpu-hog", "2"}));
  stdfs::path rootfs = make_rootfs(ctx);
  double share = cpu_share(ctx, ctx.run({"run", "--rootfs", rootfs.string(), "--cpus", "0.5", "/probe", "cpu-hog", "3"}));
  double low = 0.8 * std::min(0.5, baseline);
  auto text = [](double v) { return fmt::format("{:.2f}", v); };
  require(share >= low && share <= 0.6,
          {"0.5 CPU +- 20 % (" + text(low) + " to 0.60 s of CPU per second; unlimited, the hog got " + text(baseline) + ")",
           "a share of " + text(share),
           share > 0.6 ? "write the CFS quota: cpu.max \"50000 100000\" (v2) or cpu.cfs_quota_us 50000 (v1)"
                       : "the hog got less than its quota: quota too small, or a period that is not 100000 us?"});
}

void stats_usage(Context& ctx) {
  stdfs::path rootfs = make_rootfs(ctx);
  LabProcess hog = ctx.start({"run", "--rootfs", rootfs.string(), "--cpus", "0.5", "--memory", "64m", "/probe",
                              "cpu-hog", "8"});
  ctx.wait_for_output(hog, [](const std::string& out) { return out.find("spinning") != std::string::npos; });
  LabRun r = ctx.run({"stats", "--no-stream"});
  ctx.stop(hog);
  expect_exit(r, 0, "stats --no-stream to exit 0");
  std::istringstream lines(r.out);
  std::string header, row, extra;
  std::getline(lines, header);
  std::getline(lines, row);
  require(header.find("CPU %") != std::string::npos && !row.empty() && !std::getline(lines, extra),
          {"a header and one row: the running container", describe_run(r),
           "list the containers recorded under the state root ($BOXLAB_ROOT) that are running"});
  double cpu = std::atof(row.substr(row.find_first_of(' ')).c_str());
  require(cpu >= 30 && cpu <= 70 && row.find("/ 64MiB") != std::string::npos,
          {"CPU % near 50 and a limit of 64MiB", "the row: " + row,
           "CPU % is the growth of cpu usage (cpu.stat usage_usec or cpuacct.usage) over the wall time between "
           "two samples; the limit is memory.max or memory.limit_in_bytes"});
}

void killed_runtime_swept(Context& ctx) {
  LabProcess lab = start_limited(ctx, make_rootfs(ctx), {"--memory", "64m", "--pids-limit", "32"});
  pid_t pid = container_pid(ctx, lab);
  stdfs::path dir = cgroup_dir_of(pid, "memory");
  lab.signal(SIGKILL);
  ctx.finish(lab);
  LabRun r = ctx.run({"stats", "--no-stream"});  // any lab command sweeps what a dead runtime left
  expect_exit(r, 0, "stats --no-stream to exit 0 after the runtime was SIGKILLed");
  auto process = read_process(pid);  // a zombie waiting for its reaper is dead too
  bool alive = process && process->state != 'Z';
  require(!alive && !stdfs::exists(dir),
          {"the container's process and cgroup gone once the next command ran",
           std::string(alive ? "the container still runs" : "") + (stdfs::exists(dir) ? " " + dir.string() + " is still there" : ""),
           "record each container (with a lock its runtime holds) before creating its cgroup; at start, remove "
           "the cgroups of records whose lock is free"});
}

void bad_input(Context& ctx, const std::vector<std::string>& flags, const std::string& must_mention) {
  std::vector<std::string> args{"run"};
  args.insert(args.end(), flags.begin(), flags.end());
  args.push_back("true");
  LabRun r = ctx.run(args);
  expect_exit(r, 125, "exit 125 for " + shell_join(flags));
  require(r.err.find(must_mention) != std::string::npos && count_lines(r.err) == 1,
          {"one line naming " + must_mention, describe_run(r), "check the limits before creating anything"});
}

}  // namespace

std::vector<Check> lab04_checks() {
  using std::chrono::milliseconds;
  return {
      {"limits_written", 4, "--memory, --cpus, --pids-limit land in the container's cgroup files", 3, "", milliseconds(15000), limits_written},
      {"limits_inside", 4, "the container sees its own limits in /sys/fs/cgroup (cgroup namespace)", 2, "limits_written", milliseconds(15000), limits_inside},
      {"fork_bomb_stopped", 4, "a fork bomb stops at --pids-limit", 2, "limits_written", milliseconds(15000), fork_bomb_stopped},
      {"oom_killed", 4, "a memory hog is OOM-killed: exit 137, reported as OOM", 3, "limits_written", milliseconds(20000), oom_killed},
      {"sigkill_is_not_oom", 4, "a plain SIGKILL is 137 without an OOM report", 1, "oom_killed", milliseconds(15000), sigkill_is_not_oom},
      {"cpu_throttled", 4, "a CPU hog gets --cpus 0.5 of CPU time, within 20 %", 2, "limits_written", milliseconds(25000), cpu_throttled},
      {"stats_usage", 4, "stats --no-stream shows the container's CPU % and memory limit", 2, "limits_written", milliseconds(20000), stats_usage},
      {"killed_runtime_swept", 4, "a SIGKILLed runtime's container and cgroup are swept", 2, "limits_written", milliseconds(15000), killed_runtime_swept},
      {"bad_memory_size", 4, "--memory 12xb is refused with exit 125", 1, "", milliseconds(10000),
       [](Context& ctx) { bad_input(ctx, {"--memory", "12xb"}, "12xb"); }},
      {"memory_below_minimum", 4, "--memory 1k is below the minimum: exit 125", 1, "", milliseconds(10000),
       [](Context& ctx) { bad_input(ctx, {"--memory", "1k"}, "--memory"); }},
      {"cpus_beyond_machine", 4, "--cpus 512 is more than the machine has: exit 125", 1, "", milliseconds(10000),
       [](Context& ctx) { bad_input(ctx, {"--cpus", "512"}, "--cpus"); }},
      {"cpuset_missing", 4, "--cpuset-cpus 999 names a CPU that does not exist: exit 125", 1, "", milliseconds(10000),
       [](Context& ctx) { bad_input(ctx, {"--cpuset-cpus", "999"}, "999"); }},
  };
}

}  // namespace checker
