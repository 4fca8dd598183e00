// lab02: namespaces. `run` puts the command in new namespaces (all but user and time by
// default; --ns chooses), `ns PID` shows each namespace of PID beside the host's.
#include "boxlab/container/run.hpp"
#include "cli.hpp"

int main(int argc, char** argv) {
  CLI::App app{"lab02: run a command in its own namespaces", "lab02"};
  app.require_subcommand(1);
  labcli::RunFlags flags;
  auto* run = app.add_subcommand("run", "Run a command in new namespaces");
  labcli::add_run_flags(*run, flags);
  pid_t pid = 0;
  auto* ns = app.add_subcommand("ns", "Show a process's namespace inodes beside the host's");
  ns->add_option("pid", pid, "Process ID (on the host)")->required();
  labcli::parse(app, argc, argv);

  return labcli::guarded_main("lab02", [&] {
    labcli::require_root("lab02", "creating namespaces needs CAP_SYS_ADMIN");
    if (*ns) {
      labcli::print_namespaces(pid);
      return 0;
    }
    flags.command = labcli::command_of(*run);
    return boxlab::container::run(labcli::spec_from_flags(flags)).docker_code();
  });
}
