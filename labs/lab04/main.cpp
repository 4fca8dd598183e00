// lab04: control groups. `run` adds Docker's resource flags (--memory, --cpus, --pids-limit,
// ...) to lab03: the container gets its own cgroup boxlab/<id>, joined before exec, and its own
// cgroup namespace. `stats` shows each running container's usage, as `docker stats` does.

#include <cstdio>

#include "boxlab/container/gc.hpp"
#include "boxlab/container/run.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/sys/error.hpp"
#include "cli.hpp"
#include "limit_flags.hpp"

namespace {

void report_oom(const boxlab::container::RunResult& result) {
  std::fprintf(stderr, "lab04: container %s: the OOM killer killed %s (its memory limit was reached)\n",
               boxlab::container::short_id(result.id).c_str(),
               result.docker_code() == 137 ? "its process" : "a process in it");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lab04: run a command in its own namespaces, root filesystem and cgroup", "lab04"};
  app.require_subcommand(1);
  std::string root;
  app.add_option("--root", root, "State directory (default: /run/boxlab; or $BOXLAB_ROOT)");
  labcli::RunFlags flags;
  labcli::LimitFlags limit_flags;
  labcli::RootfsFlags rootfs_flags;
  auto* run = app.add_subcommand("run", "Run a command in new namespaces, a root filesystem and a cgroup");
  labcli::add_rootfs_flags(*run, rootfs_flags);
  labcli::add_limit_flags(*run, limit_flags);
  labcli::add_run_flags(*run, flags);
  bool no_stream = false;
  std::vector<std::string> stats_ids;
  auto* stats = app.add_subcommand("stats", "Show running containers' CPU, memory and PIDs");
  stats->add_flag("--no-stream", no_stream, "Print one sample and exit");
  stats->add_option("container", stats_ids, "Container id or unique prefix (default: all running)");
  pid_t pid = 0;
  auto* ns = app.add_subcommand("ns", "Show a process's namespace inodes beside the host's");
  ns->add_option("pid", pid, "Process ID (on the host)")->required();
  labcli::parse(app, argc, argv);

  return labcli::guarded_main("lab04", [&] {
    labcli::require_root("lab04", "namespaces, mounts and cgroups need root");
    auto state_root = boxlab::container::StateRoot::resolve(root);
    boxlab::container::collect_garbage(state_root.containers());
    if (*ns) {
      labcli::print_namespaces(pid);
      return 0;
    }
    if (*stats) return labcli::show_stats(state_root.containers(), stats_ids, no_stream);
    flags.command = labcli::command_of(*run);
    auto spec = labcli::spec_from_flags(flags);
    labcli::apply_rootfs_flags(spec, rootfs_flags);
    boxlab::container::RunOptions options;
    options.containers_dir = state_root.containers();
    options.id = boxlab::container::new_container_id();
    boxlab::container::add_cgroup_defaults(spec, options.id, labcli::limits_from_flags(limit_flags));
    auto result = boxlab::container::run(spec, options);
    if (result.oom_killed) report_oom(result);
    return result.docker_code();
  });
}
