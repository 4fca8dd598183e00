// lab08: networks. Everything lab07 does, and containers get Docker's networking: by default
// the bridge network (bridge boxlab0, NAT out), or --network none|host|NAME; -p/-P publish
// ports with nftables DNAT; containers of a user network find each other by name and
// --network-alias. `network create|ls|inspect|rm|prune|connect|disconnect` manage networks.
#include "boxlab/container/gc.hpp"
#include "boxlab/container/lifecycle.hpp"
#include "boxlab/container/networking.hpp"
#include "boxlab/container/state.hpp"
#include "cli.hpp"
#include "container_commands.hpp"
#include "earlier_forms.hpp"
#include "image_commands.hpp"
#include "network_commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"lab08: containers on networks", "lab08"};
  app.require_subcommand(1);
  std::string root;
  app.add_option("--root", root, "State directory (default: /var/lib/boxlab and /run/boxlab; or $BOXLAB_ROOT)");
  labcli::ContainerCommands container_commands(app, "lab08", 8);
  labcli::ImageCommands image_commands(app, "lab08", false);
  labcli::NetworkCommands network_commands(app);
  bool no_stream = false;
  auto* stats = app.add_subcommand("stats", "Show running containers' CPU, memory and PIDs");
  stats->add_flag("--no-stream", no_stream, "Print one sample and exit");
  if (labcli::is_earlier_form(app, argc, argv)) return labcli::layers_and_images_main("lab08", argc, argv);
  labcli::parse(app, argc, argv);

  return labcli::guarded_main("lab08", [&] {
    labcli::require_root("lab08", "namespaces, mounts, cgroups, links and nftables need root");
    auto state_root = boxlab::container::StateRoot::resolve(root);
    boxlab::container::collect_garbage(state_root.containers());
    boxlab::container::sweep_networks(boxlab::container::Containers::of(state_root).paths.network);
    if (*stats) return labcli::show_stats(state_root.containers(), {}, no_stream);
    if (auto status = network_commands.run(state_root)) return *status;
    if (auto status = image_commands.run(state_root)) return *status;
    return *container_commands.run(state_root);
  });
}
