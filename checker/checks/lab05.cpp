// Lab 05 checks, layers: the container's root is an overlay with the layers in the right order
// (read from the kernel's mount table, inside and on the host), whiteouts and opaque dirs hide
// lower names, two containers on one base do not see each other's writes, diff lists A/C/D as
// docker diff does, and nothing of the overlay is left once the container ends.
#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "../src/context.hpp"
#include "../src/diagnose.hpp"
#include "../src/processes.hpp"
#include "../src/probe_client.hpp"
#include "boxlab/sys/syscall.hpp"
#include "checks.hpp"
#include "rootfs.hpp"

namespace checker {

namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

// Files the layers hold: base (busybox + probe) has them all, app changes some.
constexpr const char* kGone = "etc/boxlab-gone";        // whited out by app (.wh.)
constexpr const char* kHidden = "data/boxlab-hidden";   // hidden by app's opaque data/
constexpr const char* kAppFile = "data/boxlab-app";     // added by app
constexpr const char* kChanged = "etc/boxlab-changed";  // the container appends to it
constexpr const char* kDeleted = "etc/boxlab-deleted";  // the container removes it

void write(const stdfs::path& file, const std::string& text) {
  stdfs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

struct Layers {
  stdfs::path base, app;
};

// base: the busybox rootfs with the probe and the files above; app: an OCI layer on top of it
// with a whiteout, an opaque directory and a file of its own.
Layers make_layers(Context& ctx) {
  Layers l{make_rootfs(ctx), ctx.work_dir() / "app"};
  write(l.base / kGone, "deleted by the app layer\n");
  write(l.base / kHidden, "hidden by the app layer's opaque /data\n");
  write(l.base / kChanged, "base\n");
  write(l.base / kDeleted, "base\n");
  write(l.app / "etc/.wh.boxlab-gone", "");
  write(l.app / "data/.wh..wh..opq", "");
  write(l.app / kAppFile, "app\n");
  ctx.log("layers: base " + l.base.string() + " (busybox), app " + l.app.string() +
          " (.wh.boxlab-gone in etc/, .wh..wh..opq in data/)");
  return l;
}

std::vector<std::string> run_args(const Layers& l, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"run", "--layer", l.base.string(), "--layer", l.app.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

pid_t container_pid(LabProcess& lab) {
  for (int i = 0; i < 200; ++i) {
    auto children = children_of(lab.pid());
    if (!children.empty()) return children.front().pid;
    std::this_thread::sleep_for(10ms);
  }
  throw Failure({"the lab to start the container as its child", "no child process of the lab",
                 "clone the container's process from the lab process itself"});
}

// The super options of the mount at / in @p pid's mount table (the host's view of it).
std::string root_super_options(pid_t pid) {
  std::istringstream lines(boxlab::sys::read_file("/proc/" + std::to_string(pid) + "/mountinfo"));
  std::string found;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() > 4 && f[4] == "/" && dash != f.end() && dash + 3 < f.end()) found = *(dash + 3);
  }
  return found;  // the last mount at / is the one on top
}

std::string option_value(const std::string& options, const std::string& key) {
  size_t at = ("," + options).find("," + key + "=");
  if (at == std::string::npos) return "";
  std::string rest = options.substr(at + key.size() + 1);
  return rest.substr(0, rest.find(','));
}

void overlay_mounted(Context& ctx) {
  Layers l = make_layers(ctx);
  LabProcess lab = ctx.start(run_args(l, {"/probe", "sleep", "30"}));
  Json report = parse_probe_output(ctx.wait_for_output(lab, has_complete_line));
  std::string super = root_super_options(container_pid(lab));
  ctx.log("the container's / on the host: " + super);
  ctx.stop(lab);
  auto root = mount_at(report, "/");
  std::string fstype = root ? root->value("fstype", "") : "(no mount at /)";
  require(fstype == "overlay", {"the container's / to be an overlay mount", "/ is " + fstype,
                                "mount(\"overlay\", merged, \"overlay\", 0, \"lowerdir=...,upperdir=...,workdir=...\") "
                                "and use merged as the rootfs"});
  std::string lower = option_value(super, "lowerdir");
  std::string want = stdfs::canonical(l.app).string() + ":" + stdfs::canonical(l.base).string();
  require(lower == want, {"lowerdir=" + want + " (the top layer first: the last --layer)", "lowerdir=" + lower,
                          lower == stdfs::canonical(l.base).string() + ":" + stdfs::canonical(l.app).string()
                              ? "overlay lists the TOP layer first: reverse the --layer order (base first) for lowerdir"
                              : "lowerdir is every --layer, top first, ':'-separated"});
  require(!option_value(super, "upperdir").empty() && !option_value(super, "workdir").empty(),
          {"an upperdir and a workdir", super, "give the container a writable upper dir and a work dir beside it"});
}

void whiteouts_hide(Context& ctx) {
  Layers l = make_layers(ctx);
  Json report = probe_report(ctx.run(run_args(l, {"/probe", "stat", std::string("/") + kGone,
                                                  std::string("/") + kHidden, std::string("/") + kAppFile})));
  std::vector<bool> exists;
  for (const auto& p : report.value("paths", Json::array())) exists.push_back(p.value("exists", false));
  require(exists.size() == 3, {"three paths in the probe's report", report.dump(), "run the probe with stat"});
  require(!exists[0], {std::string("/") + kGone + " hidden by app's .wh.boxlab-gone", "it is visible",
                       ".wh.NAME must become a character device 0:0 named NAME (mknod), and .wh.NAME must go"});
  require(!exists[1], {std::string("/") + kHidden + " hidden by app's opaque data/ (.wh..wh..opq)", "it is visible",
                       ".wh..wh..opq must become the xattr trusted.overlay.opaque=y on its directory"});
  require(exists[2], {std::string("/") + kAppFile + " from the app layer", "it is missing",
                      "the opaque directory hides only the LOWER layers' entries, not its own"});
  struct stat st = boxlab::sys::lstat(l.app / kGone);
  require(S_ISCHR(st.st_mode) && st.st_rdev == 0,
          {"app/" + std::string(kGone) + " to be overlay's whiteout (a 0:0 character device)",
           fmt::format("mode {:o}, rdev {}", st.st_mode, st.st_rdev), "mknod(NAME, S_IFCHR, makedev(0, 0))"});
}

void writes_isolated(Context& ctx) {
  Layers l = make_layers(ctx);
  std::string file = std::string("/") + kChanged;
  LabProcess one = ctx.start(run_args(l, {"/bin/sh", "-c", "echo one >> " + file + " && exec /probe sleep 30"}));
  ctx.wait_for_output(one, has_complete_line);
  LabRun two = ctx.run(run_args(l, {"/bin/cat", file}));
  ctx.stop(one);
  expect_exit(two, 0, "the second container to cat " + file);
  require(two.out == "base\n", {"the second container to see " + file + " as the base has it (\"base\")",
                                "\"" + two.out + "\"", "give each container its own upper dir and work dir"});
  std::string lower = boxlab::sys::read_file(l.base / kChanged);
  require(lower == "base\n", {"the base layer unchanged by a container's write", "it now holds \"" + lower + "\"",
                              "the layers are lowerdir (read-only); only the upper dir takes writes"});
}

void diff_lists_changes(Context& ctx) {
  Layers l = make_layers(ctx);
  stdfs::path cidfile = ctx.work_dir() / "cid";
  LabRun r = ctx.run(run_args(l, {"--keep", "--cidfile", cidfile.string(), "/bin/sh", "-c",
                                  std::string("echo new > /boxlab-added && echo more >> /") + kChanged + " && rm /" + kDeleted}));
  expect_exit(r, 0, "the container to add, change and delete a file and exit 0");
  std::string id = stdfs::exists(cidfile) ? boxlab::sys::read_file(cidfile) : "";
  require(id.size() == 64, {"--cidfile to hold the container's id", "\"" + id + "\"", "write the id to --cidfile"});
  LabRun diff = ctx.run({"diff", id.substr(0, 12)});
  expect_exit(diff, 0, "diff of the kept container to exit 0");
  std::string want = std::string("A /boxlab-added\nC /etc\nC /") + kChanged + "\nD /" + kDeleted + "\n";
  require(diff.out == want, {"docker diff's lines, sorted:\n" + want, diff.out,
                             "a whiteout (char device 0:0) in the upper dir is D, a name the layers have is C, "
                             "anything else A; parents of changes are C"});
  LabRun rm = ctx.run({"rm", id.substr(0, 12)});
  expect_exit(rm, 0, "rm of the kept container to exit 0");
  stdfs::path dir = ctx.state_root() / "run/overlay" / id;
  require(!stdfs::exists(dir), {"rm to remove " + dir.string(), "it is still there", "remove its overlay directory"});
}

void nothing_left(Context& ctx) {
  Layers l = make_layers(ctx);
  LabRun r = ctx.run(run_args(l, {"/bin/sh", "-c", "echo x > /boxlab-written"}));
  expect_exit(r, 0, "the container to write a file and exit 0");
  std::vector<std::string> left;
  stdfs::path root = ctx.state_root() / "run/overlay";
  if (stdfs::is_directory(root))
    for (const auto& e : stdfs::directory_iterator(root))
      if (e.is_directory()) left.push_back(e.path().string());
  std::istringstream lines(boxlab::sys::read_file("/proc/self/mountinfo"));
  for (std::string line; std::getline(lines, line);)
    if (line.find(ctx.state_root().string()) != std::string::npos) left.push_back("mounted: " + line);
  require(left.empty() && !stdfs::exists(l.base / "boxlab-written"),
          {"no overlay directory or mount left under the state root once the container ended",
           left.empty() ? "the write landed in the base layer" : join(left),
           "unmount merged/ and remove the container's overlay directory when it ends (unless --keep)"});
}

void missing_layer(Context& ctx) {
  Layers l = make_layers(ctx);
  stdfs::path missing = ctx.work_dir() / "no-such-layer";
  LabRun bad = ctx.run({"run", "--layer", l.base.string(), "--layer", missing.string(), "true"});
  expect_exit(bad, 125, "exit 125 for a --layer that does not exist");
  require(bad.err.find(missing.string()) != std::string::npos && count_lines(bad.err) == 1,
          {"one line naming " + missing.string(), describe_run(bad), "check every --layer before creating anything"});
  LabRun good = ctx.run(run_args(l, {"true"}));
  expect_exit(good, 0, "exit 0 with two existing layers (the good case beside the bad one)");
}

}  // namespace

std::vector<Check> lab05_checks() {
  using std::chrono::milliseconds;
  return {
      {"overlay_mounted", 5, "the container's / is an overlay with lowerdir top layer first", 3, "", milliseconds(15000), overlay_mounted},
      {"whiteouts_hide", 5, "a whiteout and an opaque dir in the upper layer hide lower files", 3, "overlay_mounted", milliseconds(15000), whiteouts_hide},
      {"writes_isolated", 5, "a write in one container is invisible to another on the same base", 2, "overlay_mounted", milliseconds(15000), writes_isolated},
      {"diff_lists_changes", 5, "diff lists A, C and D as docker diff does; rm removes a kept container", 3, "overlay_mounted", milliseconds(15000), diff_lists_changes},
      {"nothing_left", 5, "the overlay and its directories are gone when the container ends", 2, "overlay_mounted", milliseconds(15000), nothing_left},
      {"missing_layer", 5, "a --layer that does not exist: exit 125, one line naming it", 1, "", milliseconds(10000), missing_layer},
  };
}

}  // namespace checker
