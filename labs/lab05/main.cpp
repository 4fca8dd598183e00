// lab05: layers. `run --layer DIR ...` adds an overlay root filesystem to lab04: the layers
// (base first, as an image lists them) are stacked read-only under a writable upper dir of the
// container's own, <state root>/run/overlay/<id>/{upper,work,merged}, and merged/ becomes the
// container's root. The container's writes vanish with it unless --keep; `diff` lists them as
// `docker diff` does, `rm` removes a kept container's writable layer. The steps of `run` are in
// labs/common/layer_run.cpp, shared with the later labs.
#include "boxlab/container/gc.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/fs/overlay.hpp"
#include "cli.hpp"
#include "layer_run.hpp"

int main(int argc, char** argv) {
  CLI::App app{"lab05: run a command on overlay layers, in its own namespaces and cgroup", "lab05"};
  app.require_subcommand(1);
  std::string root;
  app.add_option("--root", root, "State directory (default: /run/boxlab; or $BOXLAB_ROOT)");
  labcli::LayerRunCommands commands(app, "lab05");
  labcli::parse(app, argc, argv);

  return labcli::guarded_main("lab05", [&] {
    labcli::require_root("lab05", "namespaces, mounts, cgroups and overlays need root");
    auto state_root = boxlab::container::StateRoot::resolve(root);
    boxlab::container::collect_garbage(state_root.containers());
    boxlab::fs::sweep_container_layers(state_root.overlays());
    return *commands.run(state_root);
  });
}
