// Lab 02 checks, namespaces: each is proved with namespace inodes, the probe's view from
// inside, and the host's view from outside, never with the lab's printed text alone.
#include <fmt/core.h>

#include <map>
#include <sstream>

#include "../src/context.hpp"
#include "../src/diagnose.hpp"
#include "../src/probe_client.hpp"
#include "../src/processes.hpp"
#include "boxlab/sys/syscall.hpp"
#include "checks.hpp"

namespace checker {

namespace {

// The checker's own namespace inode of @p kind (the host's, as the checker runs on the host).
unsigned long host_inode(const std::string& kind) {
  return static_cast<unsigned long>(boxlab::sys::stat("/proc/self/ns/" + kind).st_ino);
}

unsigned long probe_inode(const Json& report, const std::string& kind) {
  const Json& v = report.at("namespaces").at(kind);
  return v.is_number() ? v.get<unsigned long>() : 0;
}

// Kinds of @p report that are (@p shared = true) or are not the host's.
std::vector<std::string> kinds_where(const Json& report, const std::vector<std::string>& kinds, bool shared) {
  std::vector<std::string> out;
  for (const auto& k : kinds)
    if ((probe_inode(report, k) == host_inode(k)) == shared) out.push_back(k);
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void hostname(Context& ctx) {
  std::string before = boxlab::sys::gethostname();
  Json report = probe_report(ctx.run({"run", "--hostname", "box", ctx.probe().string()}));
  std::string seen = report.value("hostname", "");
  require(seen == "box", {"the probe to see hostname \"box\"", "hostname \"" + seen + "\"",
                          "set the hostname in the child, after clone3 with CLONE_NEWUTS and before exec"});
  std::string after = boxlab::sys::gethostname();
  require(after == before, {"the host's hostname to stay \"" + before + "\"", "it is now \"" + after + "\"",
                            "sethostname ran in the host's UTS namespace: create a new one (CLONE_NEWUTS) first"});
}

void pid_one(Context& ctx) {
  Json report = probe_report(ctx.run({"run", ctx.probe().string()}));
  int pid = report.value("pid", -1);
  require(pid == 1, {"the command to be PID 1 in its PID namespace", fmt::format("pid {}", pid),
                     "the command is not PID 1: did you create a PID namespace (CLONE_NEWPID)?"});
  require(report.value("ppid", -1) == 0,
          {"PID 1's parent to be outside its namespace (ppid 0)",
           fmt::format("ppid {}", report.value("ppid", -1)), "clone the child with CLONE_NEWPID"});
}

void namespaces_new(Context& ctx) {
  Json report = probe_report(ctx.run({"run", ctx.probe().string()}));
  auto shared = kinds_where(report, {"uts", "ipc", "pid", "net", "mnt", "cgroup"}, true);
  require(shared.empty(), {"new uts, ipc, pid, net, mnt and cgroup namespaces (inodes unlike the host's)",
                           "the same inode as the host for: " + join(shared),
                           "pass each kind's CLONE_NEW* flag to clone3; by default the lab creates "
                           "uts,pid,ipc,net,mnt,cgroup"});
  auto created = kinds_where(report, {"user", "time"}, false);
  require(created.empty(), {"the host's user and time namespaces (not asked for)", "new: " + join(created),
                            "create only the namespaces asked for"});
}

void net_isolated(Context& ctx) {
  Json report = probe_report(ctx.run({"run", ctx.probe().string()}));
  auto interfaces = strings_of(report.value("interfaces", Json::array()));
  require(interfaces == std::vector<std::string>{"lo"},
          {"only the loopback interface lo in the container", "interfaces: " + join(interfaces),
           "a new network namespace (CLONE_NEWNET) starts with nothing but lo"});
  auto routes = strings_of(report.value("routes", Json::array()));
  require(routes.empty(), {"no routes in the container", fmt::format("{} routes", routes.size()),
                           "a new network namespace has no routes"});
}

void ns_subset(Context& ctx) {
  Json report = probe_report(ctx.run({"run", "--ns", "uts", ctx.probe().string()}));
  auto uts_new = kinds_where(report, {"uts"}, false);
  auto shared = kinds_where(report, {"ipc", "pid", "net", "mnt", "cgroup", "user"}, true);
  require(uts_new.size() == 1 && shared.size() == 6,
          {"with --ns uts: a new uts namespace, the host's ipc, pid, net, mnt, cgroup and user",
           "new uts: " + std::string(uts_new.empty() ? "no" : "yes") + "; host's: " + join(shared),
           "turn exactly the kinds listed in --ns into CLONE_NEW* flags"});
}

// `lab ns PID` prints "NAME  PID-INODE  HOST-INODE  SHARED" rows; read the second column.
std::map<std::string, unsigned long> parse_ns_table(const std::string& out) {
  std::map<std::string, unsigned long> rows;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string name, inode;
    if (words >> name >> inode && inode.find_first_not_of("0123456789") == std::string::npos)
      rows[name] = std::stoul(inode);
  }
  return rows;
}

void ns_command(Context& ctx) {
  LabProcess container = ctx.start({"run", ctx.probe().string(), "sleep", "30"});
  ctx.wait_for_output(container, has_complete_line);
  auto children = children_of(container.pid());
  require(!children.empty(), {"the container's process, a child of the lab", "none", "fork the command"});
  pid_t pid = children.front().pid;
  LabRun r = ctx.run({"ns", std::to_string(pid)});
  expect_exit(r, 0, fmt::format("`ns {}` to exit 0", pid));
  auto rows = parse_ns_table(r.out);
  std::vector<std::string> wrong;
  for (const char* kind : {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"}) {
    std::string link = fmt::format("/proc/{}/ns/{}", pid, kind);
    if (!boxlab::sys::exists(link)) continue;
    auto truth = static_cast<unsigned long>(boxlab::sys::stat(link).st_ino);
    if (!rows.count(kind) || rows[kind] != truth) wrong.push_back(fmt::format("{} (want {})", kind, truth));
  }
  ctx.stop(container);
  require(wrong.empty(), {fmt::format("`ns {}` to print each namespace inode of /proc/{}/ns/*", pid, pid),
                          "wrong or missing: " + join(wrong) + "; stdout \"" + first_line(r.out) + "...\"",
                          "the inode of the link /proc/PID/ns/NAME (stat, not lstat) names the namespace"});
}

void user_namespace(Context& ctx) {
  Json report = probe_report(ctx.run({"run", "--ns", "uts,pid,user", ctx.probe().string()}));
  std::string uid_map = normalise_map(report.value("uid_map", ""));
  std::string gid_map = normalise_map(report.value("gid_map", ""));
  require(uid_map == "0 100000 65536" && gid_map == "0 100000 65536",
          {"uid_map and gid_map \"0 100000 65536\"", "uid_map \"" + uid_map + "\", gid_map \"" + gid_map + "\"",
           "the parent writes /proc/PID/uid_map and gid_map (and \"deny\" to setgroups first for "
           "gid_map) while the child waits on the sync pipe"});
  require(probe_inode(report, "user") != host_inode("user"),
          {"a new user namespace", "the host's", "add CLONE_NEWUSER"});
  require(report.value("uid", -1) == 0 && report.value("gid", -1) == 0,
          {"the command to run as uid 0, gid 0 inside",
           fmt::format("uid {}, gid {}", report.value("uid", -1), report.value("gid", -1)),
           "with the maps written before exec, root inside is uid 100000 outside"});
}

void bad_hostname(Context& ctx) {
  std::string before = boxlab::sys::gethostname();
  std::string name(65, 'a');
  LabRun r = ctx.run({"run", "--hostname", name, "/bin/true"});
  expect_exit(r, 125, "exit status 125 for a 65-byte hostname");
  bool says_why = r.err.find("64") != std::string::npos &&
                  (r.err.find("65") != std::string::npos || r.err.find("aaaaaaaaaa") != std::string::npos);
  require(count_lines(r.err) == 1 && says_why,
          {"one line on stderr naming the hostname (or its length, 65) and the limit, 64", describe_run(r),
           "check the hostname before creating anything and say what is wrong with it"});
  require(boxlab::sys::gethostname() == before,
          {"the host's hostname unchanged", boxlab::sys::gethostname(), "refuse bad input before sethostname"});
}

}  // namespace

std::vector<Check> lab02_checks() {
  using std::chrono::milliseconds;
  return {
      {"namespaces_new", 2, "the command runs in new uts, ipc, pid, net, mnt, cgroup namespaces", 3, "", milliseconds(10000), namespaces_new},
      {"hostname", 2, "--hostname box sets the container's hostname, not the host's", 2, "namespaces_new", milliseconds(10000), hostname},
      {"pid_one", 2, "the command is PID 1 of its PID namespace", 2, "namespaces_new", milliseconds(10000), pid_one},
      {"net_isolated", 2, "the container's network has only lo", 1, "namespaces_new", milliseconds(10000), net_isolated},
      {"ns_subset", 2, "--ns uts creates only a UTS namespace", 1, "namespaces_new", milliseconds(10000), ns_subset},
      {"ns_command", 2, "ns PID prints the inodes of /proc/PID/ns/*", 2, "namespaces_new", milliseconds(10000), ns_command},
      {"user_namespace", 2, "--ns uts,pid,user maps root to uid 100000", 2, "namespaces_new", milliseconds(10000), user_namespace},
      {"bad_hostname", 2, "a 65-byte hostname is refused with exit 125", 1, "hostname", milliseconds(10000), bad_hostname},
  };
}

}  // namespace checker
