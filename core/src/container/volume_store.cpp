// Volumes: data that outlives its containers.
//
// A container's writable layer goes when the container does (lab 05); a volume is a directory
// the runtime keeps apart, bind-mounted into any container that names it. Docker's "local"
// driver keeps each one as
//
//   <dir>/<name>/_data         the data: what `-v name:/path` binds at /path
//   <dir>/<name>/volume.json   Name, Driver, Mountpoint, CreatedAt, Labels, Scope
//
// (Docker keeps the metadata in one BoltDB file, metadata.db; one JSON file per volume reads
// better and is written atomically, the way the container store writes its records.) A volume
// exists exactly when its volume.json does: create writes it last, so a create killed half-way
// leaves a directory that the next create of that name adopts. Remove renames the directory to
// a hidden ".removing-" name first, so the volume vanishes at once even if deleting a large
// tree fails half-way; create, remove and prune hold flock(2) on the store directory.
//
// Names are Docker's: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, so no name can hold a "/" or start with a
// ".", and none can leave the directory or collide with a removal in progress. A name that is
// not valid never exists. `volume prune` reports what it freed with Docker's directory.Size:
// apparent sizes, hardlinks once, symlinks not followed (not du's allocated blocks).
//
// Interface: check_volume_name, volume_size, VolumeStore::{create,exists,find,list,remove,prune},
//   inspect_volumes_json, format_volume_table
#include "boxlab/container/volume_store.hpp"

#include <fcntl.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <utility>

#include "boxlab/container/state.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/text.hpp"

namespace boxlab::container {

namespace {

using nlohmann::ordered_json;
namespace stdfs = std::filesystem;

constexpr int kExitDaemonError = 1;  // docker's exit code for an error response of the daemon
constexpr const char* kRecord = "volume.json";
constexpr const char* kRemoving = ".removing-";

bool valid_name(const std::string& name) {
  static const std::regex valid("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
  return std::regex_match(name, valid);
}

ordered_json to_json(const Volume& v) {
  return {{"CreatedAt", v.created_at}, {"Driver", v.driver}, {"Labels", v.labels}, {"Mountpoint", v.mountpoint},
          {"Name", v.name},            {"Options", ordered_json::object()},     {"Scope", v.scope}};
}

Volume from_json(const ordered_json& j) {
  Volume v;
  v.name = j.at("Name").get<std::string>();
  v.driver = j.value("Driver", "local");
  v.mountpoint = j.at("Mountpoint").get<std::string>();
  v.created_at = j.value("CreatedAt", "");
  if (j.contains("Labels") && j.at("Labels").is_object())
    v.labels = j.at("Labels").get<std::map<std::string, std::string>>();
  v.scope = j.value("Scope", "local");
  return v;
}

sys::UniqueFd lock_dir(const std::string& dir) {
  sys::mkdir_all(dir, 0701);  // as Docker's volumes directory: others may pass through, not list
  sys::UniqueFd fd = sys::open(dir, O_RDONLY | O_DIRECTORY);
  sys::lock_exclusive(fd.get());
  return fd;
}

void remove_tree(const std::string& path) {
  std::error_code ec;
  stdfs::remove_all(path, ec);
  if (ec) throw Error(ec.value(), "remove " + path);
}

// Make volume @p name disappear at once (rename), then delete its tree.
void discard(const std::string& dir, const std::string& name) {
  std::string hidden = dir + "/" + kRemoving + name;
  remove_tree(hidden);  // one left by an earlier failed removal
  sys::rename(dir + "/" + name, hidden);
  remove_tree(hidden);
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

}  // namespace

void check_volume_name(const std::string& name) {
  if (name.size() == 1)
    throw Error("create " + name + ": volume name is too short, names should be at least two alphanumeric characters");
  if (!valid_name(name))
    throw Error("create " + name + ": \"" + name +
                "\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are "
                "allowed. If you intended to pass a host directory, use absolute path");
}

uint64_t volume_size(const std::string& path) {
  std::error_code ec;
  std::set<std::pair<dev_t, ino_t>> seen;
  uint64_t total = 0;
  for (auto it = stdfs::recursive_directory_iterator(path, stdfs::directory_options::skip_permission_denied, ec);
       !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) continue;
    struct stat st = sys::lstat(it->path());
    if (st.st_nlink > 1 && !seen.insert({st.st_dev, st.st_ino}).second) continue;
    total += static_cast<uint64_t>(st.st_size);
  }
  return total;
}

Volume VolumeStore::create(const std::string& name, const std::map<std::string, std::string>& labels) const {
  std::string chosen = name.empty() ? new_container_id() : name;
  check_volume_name(chosen);
  sys::UniqueFd held = lock_dir(dir_);
  if (exists(chosen)) return read(chosen);
  Volume v{chosen, "local", dir_ + "/" + chosen + "/_data", sys::now_rfc3339(), labels, "local"};
  if (name.empty()) v.labels[kAnonymousVolumeLabel] = "";
  sys::mkdir(dir_ + "/" + chosen, 0755, true);  // exist_ok: adopt what a killed create left
  sys::mkdir(v.mountpoint, 0755, true);
  sys::write_file_atomically(dir_ + "/" + chosen + "/" + kRecord, to_json(v).dump(2));
  return v;
}

bool VolumeStore::exists(const std::string& name) const {
  return valid_name(name) && sys::exists(dir_ + "/" + name + "/" + kRecord);
}

Volume VolumeStore::read(const std::string& name) const {
  std::string record = dir_ + "/" + name + "/" + kRecord;
  try {
    Volume v = from_json(ordered_json::parse(sys::read_file(record)));
    v.name = name;
    v.mountpoint = dir_ + "/" + name + "/_data";  // the directory, even if the store was moved
    return v;
  } catch (const std::exception&) {
    // A corrupt record still names a volume that can be seen and removed.
    return Volume{name, "local", dir_ + "/" + name + "/_data", "", {}, "local"};
  }
}

Volume VolumeStore::find(const std::string& name) const {
  if (!exists(name)) throw Error("No such volume: " + name, kExitDaemonError);
  return read(name);
}

std::vector<Volume> VolumeStore::list() const {
  std::vector<Volume> out;
  if (!sys::exists(dir_)) return out;
  for (const auto& entry : stdfs::directory_iterator(dir_))
    if (std::string name = entry.path().filename().string(); entry.is_directory() && exists(name))
      out.push_back(read(name));
  std::sort(out.begin(), out.end(), [](const Volume& a, const Volume& b) { return a.name < b.name; });
  return out;
}

void VolumeStore::remove(const std::string& name, const std::vector<std::string>& in_use_by) const {
  // LAB 09 BEGIN: refuse a missing volume and one a container uses (Docker's words), else discard it
  sys::UniqueFd held = lock_dir(dir_);
  if (!exists(name)) throw Error("get " + name + ": no such volume", kExitDaemonError);
  if (!in_use_by.empty())
    throw Error("remove " + name + ": volume is in use - [" + join(in_use_by, ", ") + "]", kExitDaemonError);
  discard(dir_, name);
  // LAB 09 END
}

PruneReport VolumeStore::prune(const std::set<std::string>& in_use, bool all) const {
  sys::UniqueFd held = lock_dir(dir_);
  PruneReport report;
  for (const auto& v : list()) {
    if (in_use.count(v.name) || (!all && !v.anonymous())) continue;
    report.reclaimed += volume_size(v.mountpoint);
    discard(dir_, v.name);
    report.deleted.push_back(v.name);
  }
  return report;
}

std::string inspect_volumes_json(const std::vector<Volume>& volumes) {
  ordered_json out = ordered_json::array();
  for (const auto& v : volumes) out.push_back(to_json(v));
  return out.dump(4);
}

std::string format_volume_table(const std::vector<Volume>& volumes) {
  // docker's tables are text/tabwriter with a minimum cell width of 10 and a padding of 3.
  auto cell = [](const std::string& text) { return text + std::string(text.size() < 7 ? 10 - text.size() : 3, ' '); };
  std::string out = cell("DRIVER") + "VOLUME NAME\n";
  for (const auto& v : volumes) out += cell(v.driver) + v.name + "\n";
  return out;
}

}  // namespace boxlab::container
