// lab01 run: a container starts as a plain process. fork/exec/wait, Docker's exit codes
// (125 runtime error, 126 cannot invoke, 127 not found, 128+N killed by signal N), and the
// user's signals forwarded to the child.
#include "boxlab/sys/process.hpp"
#include "boxlab/sys/signals.hpp"
#include "cli.hpp"

int main(int argc, char** argv) {
  CLI::App app{"lab01: run a command as a child process", "lab01"};
  app.require_subcommand(1);
  auto* run = app.add_subcommand("run", "Run a command and return its exit status");
  run->prefix_command();  // everything after the first word is the command's own
  labcli::parse(app, argc, argv);
  std::vector<std::string> command = labcli::command_of(*run);

  return labcli::guarded_main("lab01", [&] {
    // 1. Block the signals we forward, so none arrives before we are ready to pass it on.
    boxlab::sys::SignalBlock block(boxlab::sys::forwarded_signals());
    // 2. fork + exec: spawn returns once the command runs, or throws why it could not.
    boxlab::sys::SpawnOptions options;
    options.args = command;
    boxlab::sys::Child child = boxlab::sys::spawn(options);
    // 3. wait, forwarding signals; 4. exit as Docker does.
    return boxlab::sys::wait_forwarding_signals(child, block).docker_code();
  });
}
