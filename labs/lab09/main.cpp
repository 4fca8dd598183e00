// lab09: volumes. Everything lab08 does, and a container's data can outlive it: -v and --mount
// bind a host path, mount a named or anonymous volume (filled from the image the first time) or
// a tmpfs, read-only if asked; an image's VOLUMEs get anonymous volumes. `volume
// create|ls|inspect|rm|prune` manage the volumes; `rm -v` removes a container's anonymous ones.
#include "boxlab/container/gc.hpp"
#include "boxlab/container/lifecycle.hpp"
#include "boxlab/container/networking.hpp"
#include "boxlab/container/state.hpp"
#include "cli.hpp"
#include "container_commands.hpp"
#include "earlier_forms.hpp"
#include "image_commands.hpp"
#include "network_commands.hpp"
#include "volume_commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"lab09: containers with volumes", "lab09"};
  app.require_subcommand(1);
  std::string root;
  app.add_option("--root", root, "State directory (default: /var/lib/boxlab and /run/boxlab; or $BOXLAB_ROOT)");
  labcli::ContainerCommands container_commands(app, "lab09", 9);
  labcli::ImageCommands image_commands(app, "lab09", false);
  labcli::NetworkCommands network_commands(app);
  labcli::VolumeCommands volume_commands(app);
  bool no_stream = false;
  auto* stats = app.add_subcommand("stats", "Show running containers' CPU, memory and PIDs");
  stats->add_flag("--no-stream", no_stream, "Print one sample and exit");
  if (labcli::is_earlier_form(app, argc, argv)) return labcli::layers_and_images_main("lab09", argc, argv);
  labcli::parse(app, argc, argv);

  return labcli::guarded_main("lab09", [&] {
    labcli::require_root("lab09", "namespaces, mounts, cgroups, links and nftables need root");
    auto state_root = boxlab::container::StateRoot::resolve(root);
    boxlab::container::collect_garbage(state_root.containers());
    boxlab::container::sweep_networks(boxlab::container::Containers::of(state_root).paths.network);
    if (*stats) return labcli::show_stats(state_root.containers(), {}, no_stream);
    if (auto status = volume_commands.run(state_root)) return *status;
    if (auto status = network_commands.run(state_root)) return *status;
    if (auto status = image_commands.run(state_root)) return *status;
    return *container_commands.run(state_root);
  });
}
