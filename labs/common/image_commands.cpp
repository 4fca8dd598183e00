// lab06's image commands: wiring CLI11 to core/image, and printing what docker prints.
#include "image_commands.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "boxlab/container/disk_usage.hpp"
#include "boxlab/image/archive.hpp"
#include "boxlab/image/docker_config.hpp"
#include "boxlab/image/import.hpp"
#include "boxlab/image/listing.hpp"
#include "boxlab/image/pull.hpp"
#include "boxlab/image/push.hpp"
#include "boxlab/image/remove.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/text.hpp"
#include "cli.hpp"
#include "go_template.hpp"
#include "progress.hpp"

namespace labcli {

namespace {

namespace image = boxlab::image;
using boxlab::container::StateRoot;

image::Store open_store(const StateRoot& root) { return image::Store(root.images()); }
image::LayerStore open_layers(const StateRoot& root) { return image::LayerStore(root.layers()); }


// Docker asks before deleting unless -f; without a terminal to ask on, the answer is no.
bool confirmed(const std::string& warning) {
  std::fprintf(stderr, "%s\nAre you sure you want to continue? [y/N] ", warning.c_str());
  std::string answer;
  if (!std::getline(std::cin, answer)) answer.clear();
  return answer == "y" || answer == "Y" || answer == "yes";
}

image::RegistryOptions registry_options(const image::Reference& ref) {
  image::RegistryOptions options;
  options.credentials = image::stored_credentials(ref.registry());
  return options;
}

}  // namespace

ImageCommands::ImageCommands(CLI::App& app, std::string lab, bool with_inspect) : lab_(std::move(lab)) {
  pull_ = app.add_subcommand("pull", "Download an image from a registry");
  pull_->add_option("name", names_, "NAME[:TAG|@DIGEST]")->required()->expected(1);
  pull_->add_option("--platform", platform_, "os/arch[/variant] to choose from a multi-platform image");
  pull_->add_flag("-q,--quiet", quiet_, "Print only the image's name");
  push_ = app.add_subcommand("push", "Upload an image to a registry");
  push_->add_option("name", names_, "NAME[:TAG]")->required()->expected(1);
  images_ = app.add_subcommand("images", "List images");
  images_->add_option("repository", names_, "Only this REPOSITORY[:TAG]")->expected(0, 1);
  images_->add_flag("-q,--quiet", quiet_, "Only image ids");
  images_->add_flag("--digests", digests_, "Show digests");
  images_->add_flag("--no-trunc", no_trunc_, "Do not truncate ids");
  rmi_ = app.add_subcommand("rmi", "Remove images");
  rmi_->add_option("image", names_, "IMAGE...")->required();
  rmi_->add_flag("-f,--force", force_, "Untag every name of an image given by id");
  tag_ = app.add_subcommand("tag", "Give an image another name");
  tag_->add_option("source", source_, "SOURCE_IMAGE[:TAG]")->required();
  tag_->add_option("target", target_, "TARGET_IMAGE[:TAG]")->required();
  auto* image_group = app.add_subcommand("image", "Manage images");
  inspect_ = (with_inspect ? app : *image_group).add_subcommand("inspect", "Show images' details as JSON");
  inspect_->add_option("image", names_, "IMAGE...")->required();
  inspect_->add_option("-f,--format", format_, "Print a Go template ({{.Id}}, {{json .Config}}) per image");
  history_ = app.add_subcommand("history", "Show the history of an image");
  history_->add_option("image", names_, "IMAGE")->required()->expected(1);
  history_->add_flag("--no-trunc", no_trunc_, "Do not truncate output");
  history_->add_flag("-H,--human,!--no-human", human_, "Sizes and dates for people (default true)");
  history_->add_flag("-q,--quiet", quiet_, "Only image ids");
  save_ = app.add_subcommand("save", "Save images to a tar archive (docker save / OCI layout)");
  save_->add_option("image", names_, "IMAGE...")->required();
  save_->add_option("-o,--output", file_, "Write to this file instead of stdout");
  load_ = app.add_subcommand("load", "Load images from a tar archive or an OCI layout directory");
  load_->add_option("-i,--input", file_, "Read from this file or directory instead of stdin");
  load_->add_flag("-q,--quiet", quiet_, "Suppress the load output");
  import_ = app.add_subcommand("import", "Make an image of one layer from a root filesystem tarball");
  import_->add_option("file", file_, "The tarball, or - for stdin")->required();
  import_->add_option("reference", target_, "REPOSITORY[:TAG]")->required();
  import_->add_option("-m,--message", message_, "History comment");
  auto* system = app.add_subcommand("system", "Manage boxlab");
  system_df_ = system->add_subcommand("df", "Show disk usage");
  system->require_subcommand(1);
  image_prune_ = image_group->add_subcommand("prune", "Remove unused images");
  image_prune_->add_flag("-a,--all", all_, "Remove all images no container uses, not only dangling blobs");
  image_prune_->add_flag("-f,--force", force_, "Do not ask for confirmation");
  image_group->require_subcommand(1);
}

std::optional<int> ImageCommands::run(const StateRoot& root) {
  if (*pull_) return pull(root);
  if (*push_) return push(root);
  if (*save_) return save(root);
  if (*image_prune_) return prune(root);
  if (*system_df_) {
    print(boxlab::container::format_disk_usage(boxlab::container::measure_disk_usage(root)));
    return 0;
  }
  if (!*images_ && !*rmi_ && !*tag_ && !*inspect_ && !*history_ && !*load_ && !*import_) return std::nullopt;
  image::Store store = open_store(root);
  image::LayerStore layers = open_layers(root);
  if (*images_) {
    std::vector<image::Image> images = image::list_images(store);
    if (!names_.empty()) {
      image::Reference wanted = image::Reference::parse(names_.front());
      bool any_tag = names_.front().find(':', names_.front().rfind('/') + 1) == std::string::npos;
      std::erase_if(images, [&](image::Image& i) {
        std::erase_if(i.names, [&](const std::string& n) {
          auto ref = image::Reference::parse(n);
          return ref.name() != wanted.name() || (!any_tag && ref.tag() != wanted.tag());
        });
        return i.names.empty();
      });
    }
    print(image::format_images(images, layers, {quiet_, digests_, no_trunc_}));
  } else if (*rmi_) {
    for (const auto& name : names_) print(image::remove_image(store, layers, name, force_).lines());
  } else if (*tag_) {
    image::Image source = image::find_image(store, source_);
    store.tag(image::Reference::parse(target_), source.manifest);
  } else if (*inspect_) {
    std::vector<image::Image> images;
    for (const auto& name : names_) images.push_back(image::find_image(store, name));
    std::string json = image::inspect_images(images, layers);
    print(format_.empty() ? json : render_template_lines(format_, json));
  } else if (*history_) {
    image::Image found = image::find_image(store, names_.front());
    print(quiet_ ? found.short_id() + "\n" : image::format_history(found, layers, no_trunc_, human_));
  } else if (*load_) {
    std::string input = file_.empty() ? "/dev/stdin" : file_;
    if (file_.empty() && ::isatty(STDIN_FILENO)) throw boxlab::Error("requested load from stdin, but stdin is a terminal; use -i FILE");
    for (const auto& name : image::load_images(store, layers, input))
      if (!quiet_) print("Loaded image: " + image::Reference::parse(name).familiar() + "\n");
  } else if (*import_) {
    std::string input = file_ == "-" ? "/dev/stdin" : file_;
    image::Image imported = image::import_rootfs(store, layers, input, image::Reference::parse(target_), message_);
    print(imported.id() + "\n");
  }
  return 0;
}

int ImageCommands::pull(const StateRoot& root) {
  image::Reference ref = image::Reference::parse(names_.front());
  image::PullOptions options;
  options.registry = registry_options(ref);
  if (!platform_.empty()) options.platform = image::Platform::parse(platform_);
  image::Store store = open_store(root);
  LayerProgress progress(stdout, false);
  if (!quiet_) {
    if (names_.front().find(':', names_.front().rfind('/') + 1) == std::string::npos && !ref.digest())
      print("Using default tag: latest\n");
    print((ref.digest() ? ref.digest()->str() : ref.tag()) + ": Pulling from " + ref.repository() + "\n");
    std::fflush(stdout);
  }
  image::LayerObserver observer;
  if (!quiet_) observer = [&](const image::LayerEvent& e) { progress(e); };
  image::PullResult result = image::pull(store, open_layers(root), ref, options, observer);
  if (!quiet_) {
    print("Digest: " + result.repo_digest.substr(result.repo_digest.find('@') + 1) + "\n");
    print(std::string("Status: ") + (result.up_to_date ? "Image is up to date for " : "Downloaded newer image for ") +
          ref.familiar() + "\n");
  }
  print(ref.str() + "\n");
  return 0;
}

int ImageCommands::push(const StateRoot& root) {
  image::Reference ref = image::Reference::parse(names_.front());
  print("The push refers to repository [" + image::familiar_repository(ref.str()) + "]\n");
  std::fflush(stdout);
  LayerProgress progress(stdout, true);
  image::PushResult result = image::push(open_store(root), ref, registry_options(ref),
                                         [&](const image::LayerEvent& e) { progress(e); });
  print(result.tag + ": digest: " + result.digest.str() + " size: " + std::to_string(result.size) + "\n");
  return 0;
}

int ImageCommands::save(const StateRoot& root) {
  image::Store store = open_store(root);
  if (file_.empty()) {
    if (::isatty(STDOUT_FILENO)) throw boxlab::Error("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    image::save_images(store, names_, STDOUT_FILENO);
    return 0;
  }
  // Written beside the target and renamed when complete: a failed save leaves no half file.
  std::string temp = file_ + ".tmp-" + std::to_string(::getpid());
  try {
    boxlab::sys::UniqueFd out = boxlab::with_context("-o " + file_, [&] {
      return boxlab::sys::open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    });
    image::save_images(store, names_, out.get());
    boxlab::sys::fsync(out.get());
    boxlab::sys::rename(temp, file_);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  return 0;
}

int ImageCommands::prune(const StateRoot& root) {
  std::string warning = all_ ? "WARNING! This will remove all images without at least one container associated to them."
                             : "WARNING! This will remove all dangling images.";
  if (!force_ && !confirmed(warning)) return 0;
  image::Removal removal = image::prune_images(open_store(root), open_layers(root), all_);
  if (!removal.untagged.empty() || !removal.deleted.empty()) {
    print("Deleted Images:\n");
    for (const auto& name : removal.untagged) print("untagged: " + name + "\n");
    for (const auto& id : removal.deleted) print("deleted: " + id + "\n");
    print("\n");
  }
  print("Total reclaimed space: " + boxlab::sys::decimal_size(removal.reclaimed) + "\n");
  return 0;
}

}  // namespace labcli
