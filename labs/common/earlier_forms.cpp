// Telling the earlier labs' command lines from lab 07's (see earlier_forms.hpp), and lab 06's
// wiring, which runs them.
#include "earlier_forms.hpp"

#include <cstdlib>
#include <vector>

#include "boxlab/container/container_store.hpp"
#include "boxlab/container/gc.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/fs/overlay.hpp"
#include "boxlab/sys/error.hpp"
#include "cli.hpp"
#include "image_commands.hpp"
#include "layer_run.hpp"

namespace labcli {
namespace {

namespace container = boxlab::container;

struct CommandLine {
  std::string root_flag;           // --root, when given before the subcommand
  std::string subcommand;          // run, rm, ...
  std::vector<std::string> rest;   // what follows it
};

CommandLine split(int argc, char** argv) {
  CommandLine line;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; ++i) {
    std::string arg = argv[i];
    if (arg == "--root" && i + 1 < argc) line.root_flag = argv[++i];
    else if (arg.rfind("--root=", 0) == 0) line.root_flag = arg.substr(7);
  }
  if (i < argc) line.subcommand = argv[i++];
  for (; i < argc; ++i) line.rest.emplace_back(argv[i]);
  return line;
}

// The option @p token names in @p cmd ("-it" is a group of short flags, named by its first).
const CLI::Option* option_of(const CLI::App& cmd, const std::string& token) {
  std::string name = token.substr(0, token.find('='));
  if (name.size() > 2 && name[1] != '-') name = name.substr(0, 2);
  return cmd.get_option_no_throw(name);
}

// run: an option lab 07 does not know (--rootfs, --layer, --ns, --keep...), or a path where
// the image should be.
bool is_earlier_run(const CLI::App& run, const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& token = args[i];
    if (token == "--") return false;
    if (token.size() < 2 || token[0] != '-') return token[0] == '/' || token.rfind("./", 0) == 0;
    const CLI::Option* opt = option_of(run, token);
    if (opt == nullptr) return true;
    bool takes_value = opt->get_items_expected_min() > 0;
    bool value_attached = token.find('=') != std::string::npos || (token[1] != '-' && token.size() > 2);
    if (takes_value && !value_attached) ++i;
  }
  return false;
}

// rm: every name is a layer kept by an earlier lab's `run --keep`, none a lab 07 container.
bool is_earlier_rm(const CommandLine& line) {
  auto root = container::StateRoot::resolve(line.root_flag);
  container::ContainerStore store(root.data + "/containers");
  bool any = false;
  for (const auto& ref : line.rest) {
    if (ref.empty() || ref[0] == '-') continue;
    try {
      store.find(ref);
      return false;
    } catch (const boxlab::Error&) {
    }
    try {
      boxlab::fs::find_container_layer(root.overlays(), ref);
      any = true;
    } catch (const boxlab::Error&) {
      return false;
    }
  }
  return any;
}

}  // namespace

bool is_earlier_form(CLI::App& app, int argc, char** argv) {
  CommandLine line = split(argc, argv);
  if (line.subcommand == "diff" || line.subcommand == "ns") return true;
  if (line.subcommand == "rm") return is_earlier_rm(line);
  if (line.subcommand != "run") return false;
  return is_earlier_run(*app.get_subcommand("run"), line.rest);
}

int layers_and_images_main(const std::string& lab, int argc, char** argv) {
  CLI::App app{lab + ": images from registries, and commands on overlay layers", lab};
  app.require_subcommand(1);
  std::string root;
  app.add_option("--root", root, "State directory (default: /var/lib/boxlab and /run/boxlab; or $BOXLAB_ROOT)");
  LayerRunCommands container_commands(app, lab);
  ImageCommands image_commands(app, lab);
  parse(app, argc, argv);

  return guarded_main(lab, [&] {
    require_root(lab, "the store belongs to root, and layers keep their owners");
    auto state_root = container::StateRoot::resolve(root);
    container::collect_garbage(state_root.containers());
    boxlab::fs::sweep_container_layers(state_root.overlays());
    if (auto status = image_commands.run(state_root)) return *status;
    return *container_commands.run(state_root);
  });
}

}  // namespace labcli
