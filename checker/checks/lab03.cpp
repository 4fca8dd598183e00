// Lab 03 checks, the root filesystem: each runs the probe in a copy of the busybox rootfs
// and judges the container's mount table, /dev and /proc as the kernel reports them.
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "../src/context.hpp"
#include "../src/diagnose.hpp"
#include "../src/leaks.hpp"
#include "../src/probe_client.hpp"
#include "boxlab/fs/masked_paths.hpp"
#include "checks.hpp"
#include "rootfs.hpp"

namespace checker {

namespace {

namespace stdfs = std::filesystem;

bool under(const std::string& path, const std::string& dir) {
  return path == dir || path.rfind(dir + "/", 0) == 0;
}

void pivot_root(Context& ctx) {
  stdfs::path rootfs = make_rootfs(ctx);
  Json report = run_probe(ctx, rootfs);
  auto entries = strings_of(report.value("root_entries", Json::array()));
  bool marker = std::find(entries.begin(), entries.end(), kMarker) != entries.end();
  require(marker, {"/ in the container to be the rootfs (with /" + std::string(kMarker) + ")",
                   "/ holds: " + join(entries),
                   "the container still sees the host's /: pivot_root into the rootfs"});
  auto root = mount_at(report, "/");
  std::string source_root = root ? root->value("root", "") : "(no mount at /)";
  require(root && source_root != "/" && rootfs.string().ends_with(source_root),
          {"the mount at / to be the rootfs " + rootfs.string(), "the mount at / shows " + source_root,
           "chroot changes only a process's idea of /; bind the rootfs onto itself and pivot_root "
           "so the host's root can be detached"});
  std::vector<std::string> foreign;
  for (const auto& m : report.value("mounts", Json::array())) {
    std::string point = m.value("mount_point", "");
    if (point != "/" && !under(point, "/proc") && !under(point, "/dev") && !under(point, "/sys"))
      foreign.push_back(point);
  }
  require(foreign.empty(), {"no mounts but /, /proc, /dev and /sys in the container",
                            "also mounted: " + join(foreign),
                            "after pivot_root, detach the old root with umount2(MNT_DETACH)"});
}

void proc_mounted(Context& ctx) {
  Json report = run_probe(ctx, make_rootfs(ctx));
  auto proc = mount_at(report, "/proc");
  require(proc && proc->value("fstype", "") == "proc",
          {"a proc filesystem mounted at /proc", proc ? "a " + proc->value("fstype", "") + " mount" : "no mount",
           "mount(\"proc\", \"/proc\", \"proc\", ...) after pivot_root, in the new PID namespace"});
  std::string exe = report.value("proc1_exe", "");
  require(exe == "/probe", {"/proc/1 in the container to be the probe (its own PID namespace's /proc)",
                            "/proc/1/exe is \"" + exe + "\"",
                            "mount a new proc after entering the PID namespace, not the host's /proc"});
}

void dev_minimal(Context& ctx) {
  Json report = run_probe(ctx, make_rootfs(ctx));
  auto dev = mount_at(report, "/dev");
  require(dev && dev->value("fstype", "") == "tmpfs",
          {"a fresh tmpfs at /dev", dev ? "a " + dev->value("fstype", "") + " mount" : "no mount at /dev",
           "never bind the host's /dev: mount a tmpfs and create the few devices a container needs"});
  const std::map<std::string, std::pair<int, int>> wanted{
      {"null", {1, 3}}, {"zero", {1, 5}}, {"full", {1, 7}}, {"random", {1, 8}}, {"urandom", {1, 9}}, {"tty", {5, 0}}};
  std::set<std::string> present;
  std::vector<std::string> wrong;
  for (const auto& e : report.value("dev", Json::array())) {
    std::string name = stdfs::path(e.value("path", "")).filename().string();
    std::string type = e.value("type", "");
    present.insert(name);
    auto it = wanted.find(name);
    if (it != wanted.end() && (type != "char" || e.value("major", -1) != it->second.first ||
                               e.value("minor", -1) != it->second.second))
      wrong.push_back(name + " is not char " + fmt::format("{}:{}", it->second.first, it->second.second));
    if (type == "block" || (type == "char" && it == wanted.end() && name != "ptmx" && name != "console"))
      wrong.push_back(fmt::format("{} ({} {}:{}) should not be there", name, type, e.value("major", -1),
                                  e.value("minor", -1)));
  }
  for (const char* name : {"null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts", "shm"})
    if (!present.count(name)) wrong.push_back(std::string(name) + " is missing");
  require(wrong.empty(), {"/dev with null zero full random urandom tty ptmx pts shm, and no other devices",
                          join(wrong), "mknod each device with its major:minor (then chmod), link ptmx "
                          "to pts/ptmx, mount devpts on /dev/pts and a tmpfs on /dev/shm"});
}

void sys_readonly(Context& ctx) {
  Json report = run_probe(ctx, make_rootfs(ctx));
  auto sys = mount_at(report, "/sys");
  require(sys && sys->value("fstype", "") == "sysfs" && has_option(sys->value("options", ""), "ro"),
          {"sysfs mounted read-only at /sys",
           sys ? fmt::format("{} at /sys with options {}", sys->value("fstype", ""), sys->value("options", ""))
               : "no mount at /sys",
           "mount sysfs with MS_RDONLY: a container must not change the host's kernel settings"});
}

void masked_paths(Context& ctx) {
  std::vector<std::string> paths;
  for (const auto& p : boxlab::fs::docker_masked_paths())
    if (stdfs::exists(p)) paths.push_back(p);
  ctx.log("masked paths that exist on this host: " + join(paths));
  std::vector<std::string> args{"stat"};
  args.insert(args.end(), paths.begin(), paths.end());
  Json report = run_probe(ctx, make_rootfs(ctx), args);
  std::vector<std::string> visible;
  for (const auto& p : report.value("paths", Json::array())) {
    std::string type = p.value("type", "");
    bool masked_file = type == "char" && p.value("major", -1) == 1 && p.value("minor", -1) == 3;
    bool masked_dir = type == "dir" && p.value("entries", -1) == 0;
    if (p.value("exists", false) && !masked_file && !masked_dir) visible.push_back(p.value("path", ""));
  }
  require(visible.empty(), {"each masked path hidden: /dev/null over a file, an empty tmpfs over a directory",
                            "still visible: " + join(visible),
                            "bind-mount /dev/null over masked files and mount an empty read-only tmpfs "
                            "over masked directories, after /proc and /sys are mounted"});
}

void readonly_paths(Context& ctx) {
  stdfs::path rootfs = make_rootfs(ctx);
  Json report = run_probe(ctx, rootfs);
  std::vector<std::string> writable;
  for (const auto& p : boxlab::fs::docker_readonly_paths()) {
    if (!stdfs::exists(p)) continue;
    auto m = mount_at(report, p);
    if (!m || !has_option(m->value("options", ""), "ro")) writable.push_back(p);
  }
  Json probe = run_probe(ctx, rootfs, {"open-write", "/proc/sys/kernel/hostname"});
  const Json& attempt = probe.at("paths").at(0);
  if (attempt.value("ok", false) || attempt.value("errno", 0) != 30)
    writable.push_back(fmt::format("/proc/sys/kernel/hostname (open for writing: {})",
                                   attempt.value("ok", false) ? "allowed" : attempt.value("error", "?")));
  require(writable.empty(), {"/proc/sys, /proc/sysrq-trigger, /proc/bus, /proc/fs, /proc/irq mounted read-only",
                             "writable: " + join(writable),
                             "bind each path onto itself, then remount the bind with MS_RDONLY (a bind "
                             "mount ignores MS_RDONLY on the first call)"});
}

void no_chroot_escape(Context& ctx) {
  stdfs::path marker = ctx.work_dir() / "host-only-marker";
  std::ofstream(marker) << "only on the host\n";
  Json report = run_probe(ctx, make_rootfs(ctx), {"chroot-escape", marker.string()});
  ctx.log(fmt::format("probe: chroot worked: {}, escaped: {}", report.value("chroot_worked", false),
                      report.value("escaped", false)));
  require(!report.value("escaped", true),
          {"the classic chroot breakout (chroot into a subdirectory, chdir .. many times, chroot .) "
           "not to reach the host",
           "the probe reached the host's " + marker.string() + "; / holds: " +
               join(strings_of(report.value("root_entries", Json::array()))),
           "chroot is not a jail: use pivot_root and detach the old root, so there is nothing above / to reach"});
}

void host_mounts_unchanged(Context& ctx) {
  auto before = read_mountinfo("/proc/self/mountinfo");
  stdfs::path rootfs = make_rootfs(ctx);
  LabProcess lab = ctx.start({"run", "--rootfs", rootfs.string(), "/probe", "sleep", "30"});
  ctx.wait_for_output(lab, has_complete_line);
  auto during = read_mountinfo("/proc/self/mountinfo");
  ctx.stop(lab);
  Snapshot a, b;
  a.mounts = before;
  b.mounts = during;
  auto changes = compare(a, b);
  require(changes.empty(), {"the host's mount table unchanged while the container runs",
                            "changed on the host: " + describe(changes),
                            "make every mount private (MS_REC | MS_PRIVATE on /) in the new mount "
                            "namespace before mounting anything, or the mounts propagate to the host"});
}

void read_only_rootfs(Context& ctx) {
  stdfs::path rootfs = make_rootfs(ctx);
  LabRun r = ctx.run({"run", "--rootfs", rootfs.string(), "--read-only", "/probe", "open-write",
                      std::string("/") + kMarker});
  Json report = probe_report(r);
  const Json& attempt = report.at("paths").at(0);
  require(!attempt.value("ok", true) && attempt.value("errno", 0) == 30,
          {"with --read-only, opening /" + std::string(kMarker) + " for writing fails with EROFS",
           attempt.value("ok", false) ? "it opened" : "it failed with " + attempt.value("error", "?"),
           "after pivot_root, remount / with MS_BIND | MS_REMOUNT | MS_RDONLY"});
}

void expect_refused(Context& ctx, const stdfs::path& rootfs, const std::string& what) {
  LabRun r = ctx.run({"run", "--rootfs", rootfs.string(), "/bin/sh"});
  expect_exit(r, 125, "exit status 125 for a rootfs that " + what);
  require(count_lines(r.err) == 1 && r.err.find(rootfs.string()) != std::string::npos,
          {"one line on stderr naming " + rootfs.string(), describe_run(r),
           "check the rootfs before creating anything, and say which path is wrong and why"});
}

void bad_rootfs(Context& ctx) {
  expect_refused(ctx, ctx.work_dir() / "no-such-rootfs", "does not exist");
  stdfs::path file = ctx.work_dir() / "a-file";
  std::ofstream(file) << "not a directory\n";
  expect_refused(ctx, file, "is a file");
}

void command_missing(Context& ctx) {
  stdfs::path rootfs = make_rootfs(ctx);
  LabRun r = ctx.run({"run", "--rootfs", rootfs.string(), "bash"});
  expect_exit(r, 127, "exit status 127: busybox's rootfs has no bash");
  require(r.err.find("bash") != std::string::npos,
          {"stderr to name the missing command, bash", describe_run(r),
           "search PATH inside the container (after pivot_root), and say which command is missing"});
}

}  // namespace

std::vector<Check> lab03_checks() {
  using std::chrono::milliseconds;
  return {
      {"pivot_root", 3, "/ is the rootfs, the host's root is detached", 3, "", milliseconds(10000), pivot_root},
      {"proc_mounted", 3, "/proc is the container's own proc", 2, "pivot_root", milliseconds(10000), proc_mounted},
      {"dev_minimal", 3, "/dev is a tmpfs with only the usual devices", 2, "pivot_root", milliseconds(10000), dev_minimal},
      {"sys_readonly", 3, "/sys is sysfs mounted read-only", 1, "pivot_root", milliseconds(10000), sys_readonly},
      {"masked_paths", 3, "Docker's masked paths are hidden", 2, "proc_mounted", milliseconds(10000), masked_paths},
      {"readonly_paths", 3, "/proc/sys and friends are read-only", 2, "proc_mounted", milliseconds(10000), readonly_paths},
      {"no_chroot_escape", 3, "the chroot breakout does not reach the host", 2, "pivot_root", milliseconds(10000), no_chroot_escape},
      {"host_mounts_unchanged", 3, "the host's mount table is untouched while it runs", 2, "pivot_root", milliseconds(10000), host_mounts_unchanged},
      {"read_only_rootfs", 3, "--read-only makes / read-only", 1, "pivot_root", milliseconds(10000), read_only_rootfs},
      {"bad_rootfs", 3, "a missing or non-directory rootfs exits 125 naming it", 1, "", milliseconds(10000), bad_rootfs},
      {"command_missing", 3, "a command not in the rootfs exits 127", 1, "pivot_root", milliseconds(10000), command_missing},
  };
}

}  // namespace checker
