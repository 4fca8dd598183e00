// lab07: containers from images, and their whole life. `run busybox sh` is create + start: the
// image's config and the flags become one OCI spec (core/container/lifecycle.cpp), which a
// monitor runs (core/container/monitor.cpp): in the foreground attached to the terminal (-it
// gives a pty), or in the background with -d, logging to Docker's json-file format and applying
// restart policies. ps, logs, exec, top, inspect, stop, kill, restart, wait, rename, rm and
// container prune work on what the monitors record; lab06's image commands stay.
#include "boxlab/container/gc.hpp"
#include "boxlab/container/state.hpp"
#include "cli.hpp"
#include "container_commands.hpp"
#include "earlier_forms.hpp"
#include "image_commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"lab07: containers from images, and their lifecycle", "lab07"};
  app.require_subcommand(1);
  std::string root;
  app.add_option("--root", root, "State directory (default: /var/lib/boxlab and /run/boxlab; or $BOXLAB_ROOT)");
  labcli::ContainerCommands container_commands(app, "lab07", 7);
  labcli::ImageCommands image_commands(app, "lab07", false);
  bool no_stream = false;
  auto* stats = app.add_subcommand("stats", "Show running containers' CPU, memory and PIDs");
  stats->add_flag("--no-stream", no_stream, "Print one sample and exit");
  // Lab 05's run on --rootfs or --layer, diff and ns still work (lab N does all lab N-1 did).
  if (labcli::is_earlier_form(app, argc, argv)) return labcli::layers_and_images_main("lab07", argc, argv);
  labcli::parse(app, argc, argv);

  return labcli::guarded_main("lab07", [&] {
    labcli::require_root("lab07", "namespaces, mounts, cgroups and the image store need root");
    auto state_root = boxlab::container::StateRoot::resolve(root);
    boxlab::container::collect_garbage(state_root.containers());
    if (*stats) return labcli::show_stats(state_root.containers(), {}, no_stream);
    if (auto status = image_commands.run(state_root)) return *status;
    return *container_commands.run(state_root);
  });
}
