// lab05's commands. `run --layer DIR ...` stacks the layers (base first, as an image lists
// them) read-only under a writable upper dir of the container's own,
// <state root>/run/overlay/<id>/{upper,work,merged}, and merged/ becomes the container's root.
// The container's writes vanish with it unless --keep; `diff` lists them as `docker diff` does,
// `rm` removes a kept container's writable layer.
#include "layer_run.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "boxlab/container/diff.hpp"
#include "boxlab/container/run.hpp"
#include "boxlab/fs/overlay.hpp"
#include "boxlab/ns/namespace.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace labcli {

namespace {

namespace fs = boxlab::fs;
namespace container = boxlab::container;

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

LayerRunCommands::LayerRunCommands(CLI::App& app, std::string lab) : lab_(std::move(lab)) {
  run_ = app.add_subcommand("run", "Run a command on overlay layers, in new namespaces and a cgroup");
  add_rootfs_flags(*run_, rootfs_flags_);
  run_->add_option("--layer", layers_, "A read-only layer directory; repeat it, base layer first")->allow_extra_args(false);
  run_->add_flag("--keep", keep_, "Keep the container's writable layer after it exits (for diff; rm removes it)");
  run_->add_option("--cidfile", cidfile_, "Write the container's id to this file");
  add_limit_flags(*run_, limit_flags_);
  add_run_flags(*run_, flags_);
  diff_ = app.add_subcommand("diff", "List the changes a container made to its layers (A, C, D)");
  diff_->add_option("container", id_, "Container id or unique prefix")->required();
  rm_ = app.add_subcommand("rm", "Remove a kept container's writable layer");
  rm_->add_option("container", id_, "Container id or unique prefix")->required();
  stats_ = app.add_subcommand("stats", "Show running containers' CPU, memory and PIDs");
  stats_->add_flag("--no-stream", no_stream_, "Print one sample and exit");
  ns_ = app.add_subcommand("ns", "Show a process's namespace inodes beside the host's");
  ns_->add_option("pid", pid_, "Process ID (on the host)")->required();
}

std::optional<int> LayerRunCommands::run(const container::StateRoot& root) {
  if (*ns_) {
    print_namespaces(pid_);
    return 0;
  }
  if (*stats_) return show_stats(root.containers(), {}, no_stream_);
  if (*diff_) {
    auto dirs = fs::find_container_layer(root.overlays(), id_);
    std::fputs(container::format_changes(container::diff(dirs.upper, dirs.layers)).c_str(), stdout);
    return 0;
  }
  if (*rm_) {
    fs::remove_container_layer(root.overlays(), id_);
    return 0;
  }
  if (*run_) return run_container(root);
  return std::nullopt;
}

int LayerRunCommands::run_container(const container::StateRoot& root) {
  flags_.command = command_of(*run_);
  auto spec = spec_from_flags(flags_);
  if (!layers_.empty() && !rootfs_flags_.rootfs.empty()) throw boxlab::Error("--layer and --rootfs: give one of them");
  auto layer_list = layer_dirs(layers_);
  if (!layer_list.empty() && !spec.creates(boxlab::ns::Kind::mnt))
    throw boxlab::Error("--layer needs the mnt namespace (--ns ...,mnt)");
  container::RunOptions options;
  options.containers_dir = root.containers();
  options.id = container::new_container_id();
  auto limits = limits_from_flags(limit_flags_);  // bad input fails before anything exists
  write_cidfile(cidfile_, options.id);
  // Destroyed in reverse: the overlay is unmounted before its directories are removed.
  std::optional<fs::ContainerLayer> layer;
  std::optional<fs::OverlayMount> overlay;
  if (!layer_list.empty()) {
    for (const auto& dir : layer_list) fs::convert_whiteouts(dir);
    layer.emplace(fs::ContainerLayer::create(root.overlays(), options.id, layer_list, keep_));
    overlay.emplace(fs::OverlayMount::mount(layer->dirs(), layer->merged()));
    rootfs_flags_.rootfs = layer->merged();
  }
  apply_rootfs_flags(spec, rootfs_flags_);
  container::add_cgroup_defaults(spec, options.id, limits);  // after the rootfs: it adds the cgroupfs mount
  auto result = container::run(spec, options);
  if (result.oom_killed)
    std::fprintf(stderr, "%s: container %s: the OOM killer killed %s (its memory limit was reached)\n", lab_.c_str(),
                 container::short_id(result.id).c_str(), result.docker_code() == 137 ? "its process" : "a process in it");
  return result.docker_code();
}

}  // namespace labcli
