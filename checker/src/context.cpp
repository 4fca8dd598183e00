// Context: starts the lab for a check, with the check's state root, log and deadline.
#include "context.hpp"

#include <fmt/core.h>
#include <signal.h>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/process.hpp"
#include "boxlab/sys/syscall.hpp"
#include "check.hpp"
#include "diagnose.hpp"
#include "processes.hpp"

namespace checker {

namespace stdfs = std::filesystem;

namespace {

std::vector<std::string> lab_environment(const stdfs::path& state_root) {
  std::vector<std::string> env;
  for (auto& kv : boxlab::sys::current_environment())
    if (kv.rfind("BOXLAB_ROOT=", 0) != 0) env.push_back(kv);
  env.push_back("BOXLAB_ROOT=" + state_root.string());
  return env;
}

Failure could_not_start(const std::vector<std::string>& argv, const boxlab::Error& e) {
  return Failure({"the lab binary to start", "could not run " + argv[0] + ": " + e.what(),
                  "build the lab first (cmake --build build), or pass its path with --bin"});
}

}  // namespace

Context::Context(const Settings& settings, stdfs::path work_dir, std::chrono::milliseconds timeout)
    : settings_(settings), work_dir_(std::move(work_dir)), timeout_(timeout),
      deadline_(Clock::now() + timeout) {
  stdfs::create_directories(state_root());
  stdfs::copy_file(settings_.probe, probe(), stdfs::copy_options::overwrite_existing);
  stdfs::permissions(probe(), stdfs::perms(0755));
}

void Context::log(std::string line) { log_.push_back(std::move(line)); }

LabProcess Context::start_argv(const std::vector<std::string>& argv) {
  ++runs_;
  log("run: " + shell_join(argv));
  auto out = work_dir_ / fmt::format("run{}.out", runs_);
  auto err = work_dir_ / fmt::format("run{}.err", runs_);
  try {
    LabProcess lab(argv, lab_environment(state_root()), out, err);
    groups_.push_back(lab.pid());
    return lab;
  } catch (const boxlab::Error& e) {
    throw could_not_start(argv, e);
  }
}

LabProcess Context::start(const std::vector<std::string>& args) {
  std::vector<std::string> argv{bin().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return start_argv(argv);
}

LabRun Context::run_argv(const std::vector<std::string>& argv) {
  LabProcess lab = start_argv(argv);
  return finish(lab);
}

LabRun Context::run(const std::vector<std::string>& args) {
  LabProcess lab = start(args);
  return finish(lab);
}

std::string Context::wait_for_output(LabProcess& lab,
                                     const std::function<bool(const std::string&)>& ready) {
  for (;;) {
    std::string out = lab.out();
    if (ready(out)) return out;
    if (lab.wait_until(Clock::now() + std::chrono::milliseconds(20))) {
      out = lab.out();
      if (ready(out)) return out;
      LabRun r = lab.result();
      throw Failure({"the container to keep running while the checker looks at it",
                     "it ended first: " + describe_run(r), hint_for(r, 0)});
    }
    if (Clock::now() >= deadline_) timed_out(lab);
  }
}

LabRun Context::finish(LabProcess& lab) {
  if (!lab.wait_until(deadline_)) timed_out(lab);
  LabRun r = lab.result();
  log(fmt::format("  {} after {:.1f}s", r.status.describe(), r.seconds));
  return r;
}

// Stop as `docker kill` does: SIGKILL the container's processes, not the runtime, so the
// runtime sees its child die and removes what it made (from lab 04 on, a cgroup; a SIGKILLed
// runtime cannot). Whatever is still alive after a grace period is killed with the group.
LabRun Context::stop(LabProcess& lab) {
  for (const auto& p : list_processes())
    if (p.pgid == lab.pid() && p.pid != lab.pid()) boxlab::sys::kill(p.pid, SIGKILL);
  if (lab.wait_until(Clock::now() + std::chrono::seconds(3))) {
    log("  stopped by the checker (SIGKILL to the lab's children; the lab then exited)");
  } else {
    lab.kill_group();
    log("  stopped by the checker (SIGKILL to its process group)");
  }
  return lab.result();
}

void Context::timed_out(LabProcess& lab) {
  double ran = lab.elapsed();
  lab.kill_group();
  log(fmt::format("  timeout: killed the process group after {:.1f}s", ran));
  throw Failure({fmt::format("the lab to finish within {:.1f}s", timeout_.count() / 1000.0),
                 fmt::format("the timeout fired after {:.1f}s; the lab was still running, so the checker "
                             "killed its process group",
                             ran),
                 "the lab did not exit: does it wait for a child that never ends, or miss the "
                 "child's exit (SIGCHLD)?"});
}

}  // namespace checker
