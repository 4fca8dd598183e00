// lab05: layers. `run --layer DIR ...` adds an overlay root filesystem to lab04: the layers
// (base first, as an image lists them) are stacked read-only under a writable upper dir of the
// container's own, <state root>/overlay/<id>/{upper,work,merged}, and merged/ becomes the
// container's root. The container's writes vanish with it unless --keep; `diff` lists them as
// `docker diff` does, `rm` removes a kept container's writable layer.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>

#include "boxlab/container/diff.hpp"
#include "boxlab/container/gc.hpp"
#include "boxlab/container/run.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/fs/overlay.hpp"
#include "boxlab/ns/namespace.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "cli.hpp"
#include "limit_flags.hpp"

namespace {

namespace fs = boxlab::fs;
namespace container = boxlab::container;

std::string overlay_root(const container::StateRoot& root) { return root.run + "/overlay"; }

// Each --layer as an absolute path, checked before anything is created.
std::vector<std::string> layer_dirs(const std::vector<std::string>& layers) {
  std::vector<std::string> dirs;
  for (const auto& layer : layers) {
    std::error_code ec;
    if (!std::filesystem::is_directory(layer, ec)) throw boxlab::Error("--layer " + layer + ": no such directory");
    dirs.push_back(std::filesystem::canonical(layer));
  }
  return dirs;
}

// Docker's --cidfile: the container's id, written before it starts; an existing file is an error.
void write_cidfile(const std::string& path, const std::string& id) {
  if (path.empty()) return;
  auto fd = boxlab::with_context("--cidfile " + path, [&] {
    return boxlab::sys::open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  });
  boxlab::sys::write_all(fd.get(), id);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lab05: run a command on overlay layers, in its own namespaces and cgroup", "lab05"};
  app.require_subcommand(1);
  std::string root;
  app.add_option("--root", root, "State directory (default: /run/boxlab; or $BOXLAB_ROOT)");
  labcli::RunFlags flags;
  labcli::LimitFlags limit_flags;
  labcli::RootfsFlags rootfs_flags;
  std::vector<std::string> layers;
  bool keep = false;
  std::string cidfile;
  auto* run = app.add_subcommand("run", "Run a command on overlay layers, in new namespaces and a cgroup");
  labcli::add_rootfs_flags(*run, rootfs_flags);
  run->add_option("--layer", layers, "A read-only layer directory; repeat it, base layer first")->allow_extra_args(false);
  run->add_flag("--keep", keep, "Keep the container's writable layer after it exits (for diff; rm removes it)");
  run->add_option("--cidfile", cidfile, "Write the container's id to this file");
  labcli::add_limit_flags(*run, limit_flags);
  labcli::add_run_flags(*run, flags);
  std::string id;
  auto* diff = app.add_subcommand("diff", "List the changes a container made to its layers (A, C, D)");
  diff->add_option("container", id, "Container id or unique prefix")->required();
  auto* rm = app.add_subcommand("rm", "Remove a kept container's writable layer");
  rm->add_option("container", id, "Container id or unique prefix")->required();
  bool no_stream = false;
  auto* stats = app.add_subcommand("stats", "Show running containers' CPU, memory and PIDs");
  stats->add_flag("--no-stream", no_stream, "Print one sample and exit");
  pid_t pid = 0;
  auto* ns = app.add_subcommand("ns", "Show a process's namespace inodes beside the host's");
  ns->add_option("pid", pid, "Process ID (on the host)")->required();
  labcli::parse(app, argc, argv);

  return labcli::guarded_main("lab05", [&] {
    labcli::require_root("lab05", "namespaces, mounts, cgroups and overlays need root");
    auto state_root = container::StateRoot::resolve(root);
    container::collect_garbage(state_root.containers());
    fs::sweep_container_layers(overlay_root(state_root));
    if (*ns) {
      labcli::print_namespaces(pid);
      return 0;
    }
    if (*stats) return labcli::show_stats(state_root.containers(), {}, no_stream);
    if (*diff) {
      auto dirs = fs::find_container_layer(overlay_root(state_root), id);
      std::fputs(container::format_changes(container::diff(dirs.upper, dirs.layers)).c_str(), stdout);
      return 0;
    }
    if (*rm) {
      fs::remove_container_layer(overlay_root(state_root), id);
      return 0;
    }
    flags.command = labcli::command_of(*run);
    auto spec = labcli::spec_from_flags(flags);
    if (!layers.empty() && !rootfs_flags.rootfs.empty()) throw boxlab::Error("--layer and --rootfs: give one of them");
    auto layer_list = layer_dirs(layers);
    if (!layer_list.empty() && !spec.creates(boxlab::ns::Kind::mnt))
      throw boxlab::Error("--layer needs the mnt namespace (--ns ...,mnt)");
    container::RunOptions options;
    options.containers_dir = state_root.containers();
    options.id = container::new_container_id();
    auto limits = labcli::limits_from_flags(limit_flags);  // bad input fails before anything exists
    write_cidfile(cidfile, options.id);
    // Destroyed in reverse: the overlay is unmounted before its directories are removed.
    std::optional<fs::ContainerLayer> layer;
    std::optional<fs::OverlayMount> overlay;
    if (!layer_list.empty()) {
      for (const auto& dir : layer_list) fs::convert_whiteouts(dir);
      layer.emplace(fs::ContainerLayer::create(overlay_root(state_root), options.id, layer_list, keep));
      overlay.emplace(fs::OverlayMount::mount(layer->dirs(), layer->merged()));
      rootfs_flags.rootfs = layer->merged();
    }
    labcli::apply_rootfs_flags(spec, rootfs_flags);
    container::add_cgroup_defaults(spec, options.id, limits);  // after the rootfs: it adds the cgroupfs mount
    auto result = container::run(spec, options);
    if (result.oom_killed)
      std::fprintf(stderr, "lab05: container %s: the OOM killer killed %s (its memory limit was reached)\n",
                   container::short_id(result.id).c_str(), result.docker_code() == 137 ? "its process" : "a process in it");
    return result.docker_code();
  });
}
