// ps, inspect and top: a container's record shown as docker shows it.
//
// The state on disk can be stale in one way only: a monitor killed before it could write
// "exited" leaves "running" behind. Its PID start time gives it away (the monitor is gone), so
// every listing derives the state from the record and that check, never from the record alone.
//
// Interface: status_text, state_name, command_text, ps_fields_json, format_ps,
//   inspect_containers, format_top
#include "boxlab/container/container_listing.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "boxlab/cgroup/cgroup.hpp"
#include "boxlab/container/lifecycle.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/text.hpp"

namespace boxlab::container {

namespace {

using nlohmann::ordered_json;

int64_t seconds_since(const std::string& rfc3339) {
  auto then = sys::parse_rfc3339(rfc3339);
  return then ? static_cast<int64_t>(std::time(nullptr) - *then) : 0;
}

std::string quoted_command(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + (a.find(' ') == std::string::npos ? a : "'" + a + "'");
  return out;
}

std::string process_line(pid_t pid) {
  std::string base = "/proc/" + std::to_string(pid);
  try {
    struct stat st = sys::stat(base);
    std::string stat = sys::read_file(base + "/stat");
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string state, ppid;
    fields >> state >> ppid;
    std::string cmdline = sys::read_file(base + "/cmdline");
    for (auto& c : cmdline)
      if (c == '\0') c = ' ';
    while (!cmdline.empty() && cmdline.back() == ' ') cmdline.pop_back();
    return std::to_string(st.st_uid) + "\t" + std::to_string(pid) + "\t" + ppid + "\t" + cmdline;
  } catch (const std::exception&) {
    return {};  // it exited while we looked
  }
}

}  // namespace

std::string state_name(const Container& c) {
  if ((c.state.status == "running" || c.state.status == "restarting") && !c.monitor_alive()) return "exited";
  return c.state.status;
}

std::string status_text(const Container& c) {
  std::string state = state_name(c);
  if (state == "running") return "Up " + sys::human_duration(seconds_since(c.state.started_at));
  if (state == "restarting")
    return "Restarting (" + std::to_string(c.state.exit_code) + ") " + sys::time_ago(c.state.finished_at);
  if (state == "exited") return "Exited (" + std::to_string(c.state.exit_code) + ") " + sys::time_ago(c.state.finished_at);
  if (state == "dead") return "Dead";
  return "Created";
}

std::string command_text(const Container& c, bool no_trunc) {
  std::string command = quoted_command(c.config.spec.process.args);
  if (!no_trunc && command.size() > 20) command = command.substr(0, 19) + "…";
  return "\"" + command + "\"";
}

// docker ps's PORTS: the published ports of a running container, comma-separated.
std::string ports_text(const Container& c) {
  std::string out;
  for (const auto& p : c.state.endpoint.ports) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// docker inspect's NetworkSettings: the address on the container's network, while it runs.
ordered_json network_settings(const Container& c) {
  const Endpoint& e = c.state.endpoint;
  ordered_json networks = ordered_json::object();
  if (!e.network.empty())
    networks[e.network] = {{"Aliases", c.config.network.aliases}, {"IPAddress", e.ip_address},
                           {"IPPrefixLen", e.prefix}, {"Gateway", e.gateway}};
  return {{"IPAddress", e.ip_address}, {"IPPrefixLen", e.prefix}, {"Gateway", e.gateway},
          {"Ports", e.ports}, {"Networks", networks}};
}

std::string ps_fields_json(const std::vector<Container>& containers, bool no_trunc) {
  ordered_json out = ordered_json::array();
  for (const auto& c : containers)
    out.push_back({{"ID", no_trunc ? c.config.id : c.config.id.substr(0, 12)},
                   {"Image", c.config.image},
                   {"Command", command_text(c, no_trunc)},
                   {"CreatedAt", c.config.created},
                   {"RunningFor", sys::time_ago(c.config.created)},
                   {"Status", status_text(c)},
                   {"State", state_name(c)},
                   {"Names", c.config.name},
                   {"Ports", ports_text(c)}});
  return out.dump();
}

std::string format_ps(const std::vector<Container>& containers, bool no_trunc) {
  std::vector<std::vector<std::string>> rows{{"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"}};
  for (const auto& c : containers)
    rows.push_back({no_trunc ? c.config.id : c.config.id.substr(0, 12), c.config.image, command_text(c, no_trunc),
                    sys::time_ago(c.config.created), status_text(c), ports_text(c), c.config.name});
  return sys::format_table(rows);
}

std::string inspect_containers(const std::vector<Container>& containers) {
  ordered_json out = ordered_json::array();
  for (const auto& c : containers) {
    const Process& p = c.config.spec.process;
    std::string state = state_name(c);
    bool running = state == "running";
    ordered_json args = ordered_json::array();
    for (size_t i = 1; i < p.args.size(); ++i) args.push_back(p.args[i]);
    out.push_back(
        {{"Id", c.config.id},
         {"Created", c.config.created},
         {"Path", p.args.empty() ? "" : p.args.front()},
         {"Args", args},
         {"State",
          {{"Status", state}, {"Running", running}, {"Paused", false}, {"Restarting", state == "restarting"},
           {"OOMKilled", c.state.oom_killed}, {"Dead", state == "dead"}, {"Pid", running ? c.state.pid : 0},
           {"ExitCode", c.state.exit_code}, {"Error", c.state.error},
           {"StartedAt", c.state.started_at.empty() ? "0001-01-01T00:00:00Z" : c.state.started_at},
           {"FinishedAt", c.state.finished_at.empty() ? "0001-01-01T00:00:00Z" : c.state.finished_at}}},
         {"Image", c.config.image_id},
         {"LogPath", c.dir + "/" + c.config.id + "-json.log"},
         {"Name", "/" + c.config.name},
         {"RestartCount", c.state.restart_count},
         {"HostConfig",
          {{"RestartPolicy", {{"Name", c.config.restart.name}, {"MaximumRetryCount", c.config.restart.max_retries}}},
           {"AutoRemove", c.config.auto_remove},
           {"ReadonlyRootfs", c.config.spec.root.readonly},
           {"NetworkMode", c.config.network.mode.empty() ? "none" : c.config.network.mode},
           {"PortBindings", c.config.network.publish}}},
         {"NetworkSettings", network_settings(c)},
         {"Mounts", ordered_json::parse(mount_points_json(c.config.mounts))},
         {"Config",
          {{"Hostname", c.config.spec.hostname}, {"User", p.uid == 0 && p.gid == 0 ? "" : std::to_string(p.uid) + ":" + std::to_string(p.gid)},
           {"Tty", p.terminal}, {"OpenStdin", c.config.interactive}, {"Env", p.env}, {"Cmd", p.args},
           {"Image", c.config.image}, {"WorkingDir", p.cwd}}}});
  }
  return out.dump(4) + "\n";
}

std::string format_top(const Container& c) {
  std::string out = "UID\tPID\tPPID\tCMD\n";
  for (const auto& dir : cgroup::directories_of(cgroup::detect_layout(), c.config.id)) {
    if (!sys::exists(dir + "/cgroup.procs")) continue;
    std::istringstream pids(sys::read_file(dir + "/cgroup.procs"));
    for (pid_t pid; pids >> pid;)
      if (std::string line = process_line(pid); !line.empty()) out += line + "\n";
    break;  // one hierarchy lists them all
  }
  return out;
}

}  // namespace boxlab::container
