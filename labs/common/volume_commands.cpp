// lab09's volume commands: wiring CLI11 to core/container's volume store, printing what docker
// prints. Which volumes are in use is read from the containers' records (container_volumes.hpp).
#include "volume_commands.hpp"

#include <cstdio>
#include <iostream>
#include <map>

#include "boxlab/container/container_volumes.hpp"
#include "boxlab/container/lifecycle.hpp"
#include "boxlab/container/volume_store.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/text.hpp"
#include "cli.hpp"
#include "go_template.hpp"

namespace labcli {
namespace {

namespace container = boxlab::container;

constexpr int kDaemonError = 1;  // docker's exit code when the daemon refuses

// One `ls -f KEY=VALUE`: dangling=true|false (used by no container), name=SUBSTRING,
// label=KEY[=VALUE].
struct Filter {
  std::string key, value;
};

// The filters, checked before any volume is looked at: a bad one is refused even when there
// is no volume to test it on.
std::vector<Filter> parse_filters(const std::vector<std::string>& texts) {
  std::vector<Filter> filters;
  for (const auto& f : texts) {
    auto eq = f.find('=');
    if (eq == std::string::npos) throw boxlab::Error("bad format of filter (expected name=value)", kDaemonError);
    Filter filter{f.substr(0, eq), f.substr(eq + 1)};
    bool known_dangling = filter.value == "true" || filter.value == "false" || filter.value == "1" || filter.value == "0";
    if (filter.key == "dangling" && !known_dangling)
      throw boxlab::Error("invalid filter 'dangling=" + filter.value + "'", kDaemonError);
    if (filter.key != "dangling" && filter.key != "name" && filter.key != "label")
      throw boxlab::Error("invalid filter '" + filter.key + "'", kDaemonError);
    filters.push_back(filter);
  }
  return filters;
}

bool matches(const container::Volume& v, const std::vector<Filter>& filters, const std::set<std::string>& in_use) {
  for (const auto& [key, value] : filters) {
    if (key == "dangling") {
      bool want_dangling = value == "true" || value == "1";
      if (want_dangling == (in_use.count(v.name) > 0)) return false;
    } else if (key == "name") {
      if (v.name.find(value) == std::string::npos) return false;
    } else {  // label
      auto label_eq = value.find('=');
      auto it = v.labels.find(value.substr(0, label_eq));
      if (it == v.labels.end() || (label_eq != std::string::npos && it->second != value.substr(label_eq + 1))) return false;
    }
  }
  return true;
}

}  // namespace

VolumeCommands::VolumeCommands(CLI::App& app) {
  volume_ = app.add_subcommand("volume", "Manage volumes");
  volume_->require_subcommand(1);
  create_ = volume_->add_subcommand("create", "Create a volume");
  create_->add_option("-d,--driver", driver_, "Driver (only local)");
  create_->add_option("--label", labels_, "Set metadata (KEY=value)")->allow_extra_args(false);
  create_->add_option("-o,--opt", options_, "Driver options (the local driver here takes none)")->allow_extra_args(false);
  create_->add_option("--name", name_, "The volume's name");
  create_->add_option("volume", names_, "[VOLUME]")->expected(0, 1);
  ls_ = volume_->add_subcommand("ls", "List volumes");
  ls_->alias("list");
  ls_->add_flag("-q,--quiet", quiet_, "Only names");
  ls_->add_option("-f,--filter", filters_, "dangling=true|false, name=…, label=KEY[=VALUE]")->allow_extra_args(false);
  ls_->add_option("--format", format_, "A Go template: {{.Name}} {{.Driver}} {{.Mountpoint}}");
  inspect_ = volume_->add_subcommand("inspect", "Show volumes in JSON");
  inspect_->add_option("-f,--format", format_, "A Go template per volume");
  inspect_->add_option("volume", names_, "VOLUME...")->required();
  rm_ = volume_->add_subcommand("rm", "Remove volumes");
  rm_->alias("remove");
  rm_->add_flag("-f,--force", force_, "Say nothing about volumes that do not exist");
  rm_->add_option("volume", names_, "VOLUME...")->required();
  prune_ = volume_->add_subcommand("prune", "Remove anonymous volumes no container uses");
  prune_->add_flag("-a,--all", all_, "Named volumes too");
  prune_->add_flag("-f,--force", force_, "Do not ask for confirmation");
}

std::optional<int> VolumeCommands::run(const container::StateRoot& root) {
  if (!*volume_) return std::nullopt;
  if (*create_) return create(root);
  if (*ls_) return ls(root);
  if (*rm_) return rm(root);
  if (*prune_) return prune(root);
  container::VolumeStore store(root.volumes());
  std::vector<container::Volume> found;
  for (const auto& name : names_) found.push_back(store.find(name));
  std::string json = container::inspect_volumes_json(found) + "\n";
  print(format_.empty() ? json : render_template_lines(format_, json));
  return 0;
}

int VolumeCommands::create(const container::StateRoot& root) {
  if (!name_.empty() && !names_.empty() && name_ != names_.front())
    throw boxlab::Error("conflicting options: cannot specify a volume-name through both --name and as a positional arg");
  std::string name = names_.empty() ? name_ : names_.front();
  if (driver_ != "local") throw boxlab::Error("plugin \"" + driver_ + "\" not found: boxlab has only the local driver", kDaemonError);
  if (!options_.empty())
    throw boxlab::Error("invalid option: " + options_.front() + ": boxlab's local driver takes no options", kDaemonError);
  if (!name.empty()) {
    try {
      container::check_volume_name(name);
    } catch (const boxlab::Error& e) {
      throw boxlab::Error(e.what(), kDaemonError);  // docker volume create: the daemon refuses it
    }
  }
  print(container::VolumeStore(root.volumes()).create(name, parse_labels(labels_)).name + "\n");
  return 0;
}

int VolumeCommands::ls(const container::StateRoot& root) {
  std::vector<Filter> filters = parse_filters(filters_);
  std::set<std::string> in_use = container::volumes_in_use(container::Containers::of(root).store);
  std::vector<container::Volume> shown;
  for (const auto& v : container::VolumeStore(root.volumes()).list())
    if (matches(v, filters, in_use)) shown.push_back(v);
  if (quiet_) {
    for (const auto& v : shown) print(v.name + "\n");
  } else if (!format_.empty()) {
    print(render_template_lines(format_, container::inspect_volumes_json(shown)));
  } else {
    print(container::format_volume_table(shown));
  }
  return 0;
}

// Docker goes on with the other names and fails at the end.
int VolumeCommands::rm(const container::StateRoot& root) {
  auto store = container::Containers::of(root).store;
  container::VolumeStore volumes(root.volumes());
  int status = 0;
  for (const auto& name : names_) {
    try {
      if (force_ && !volumes.exists(name)) continue;
      volumes.remove(name, container::containers_using_volume(store, name));
      print(name + "\n");
    } catch (const boxlab::Error& e) {
      std::fflush(stdout);
      std::fprintf(stderr, "Error response from daemon: %s\n", e.what());
      status = kDaemonError;
    }
  }
  return status;
}

int VolumeCommands::prune(const container::StateRoot& root) {
  if (!force_) {
    std::fprintf(stderr, "WARNING! This will remove %s local volumes not used by at least one container.\n"
                         "Are you sure you want to continue? [y/N] ", all_ ? "all" : "anonymous");
    std::string answer;
    if (!std::getline(std::cin, answer) || (answer != "y" && answer != "Y")) return 0;
  }
  auto in_use = container::volumes_in_use(container::Containers::of(root).store);
  auto report = container::VolumeStore(root.volumes()).prune(in_use, all_);
  std::string out;
  if (!report.deleted.empty()) {
    out = "Deleted Volumes:\n";
    for (const auto& name : report.deleted) out += name + "\n";
    out += "\n";
  }
  print(out + "Total reclaimed space: " + boxlab::sys::decimal_size(report.reclaimed) + "\n");
  return 0;
}

}  // namespace labcli
