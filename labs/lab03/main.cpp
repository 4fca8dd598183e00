// lab03: a root filesystem of its own. `run --rootfs DIR` adds pivot_root, a fresh /proc, a
// minimal /dev, read-only /sys and Docker's masked paths to lab02's namespaces.
#include "boxlab/container/run.hpp"
#include "boxlab/sys/error.hpp"
#include "cli.hpp"

int main(int argc, char** argv) {
  CLI::App app{"lab03: run a command in its own namespaces and root filesystem", "lab03"};
  app.require_subcommand(1);
  labcli::RunFlags flags;
  labcli::RootfsFlags rootfs_flags;
  auto* run = app.add_subcommand("run", "Run a command in new namespaces and a root filesystem");
  labcli::add_rootfs_flags(*run, rootfs_flags);
  labcli::add_run_flags(*run, flags);
  pid_t pid = 0;
  auto* ns = app.add_subcommand("ns", "Show a process's namespace inodes beside the host's");
  ns->add_option("pid", pid, "Process ID (on the host)")->required();
  labcli::parse(app, argc, argv);

  return labcli::guarded_main("lab03", [&] {
    labcli::require_root("lab03", "namespaces and mounts need CAP_SYS_ADMIN");
    if (*ns) {
      labcli::print_namespaces(pid);
      return 0;
    }
    flags.command = labcli::command_of(*run);
    auto spec = labcli::spec_from_flags(flags);
    labcli::apply_rootfs_flags(spec, rootfs_flags);
    return boxlab::container::run(spec).docker_code();
  });
}
