// lab06: images. Everything lab05 does (run on overlay layers, diff, rm, stats, ns), plus an
// image store: `pull` from a registry over the distribution API, `push`, `images`, `rmi`, `tag`,
// `inspect`, `history`, `save`, `load`, `import`, `system df` and `image prune`. Images live in
// an OCI image layout under <state root>/images (skopeo and umoci read it), their layers
// unpacked once per diff_id under <state root>/layers, ready for lab05's --layer.
#include "boxlab/container/gc.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/fs/overlay.hpp"
#include "cli.hpp"
#include "image_commands.hpp"
#include "layer_run.hpp"

int main(int argc, char** argv) {
  CLI::App app{"lab06: images from registries, and commands on overlay layers", "lab06"};
  app.require_subcommand(1);
  std::string root;
  app.add_option("--root", root, "State directory (default: /var/lib/boxlab and /run/boxlab; or $BOXLAB_ROOT)");
  labcli::LayerRunCommands container_commands(app, "lab06");
  labcli::ImageCommands image_commands(app, "lab06");
  labcli::parse(app, argc, argv);

  return labcli::guarded_main("lab06", [&] {
    labcli::require_root("lab06", "the store belongs to root, and layers keep their owners");
    auto state_root = boxlab::container::StateRoot::resolve(root);
    boxlab::container::collect_garbage(state_root.containers());
    boxlab::fs::sweep_container_layers(state_root.overlays());
    if (auto status = image_commands.run(state_root)) return *status;
    return *container_commands.run(state_root);
  });
}
