// system df: the disk the state root takes, by kind.
//
// Images are the store's blobs (compressed, as pulled) plus their unpacked layers; containers are
// their writable upper directories. Both are measured on disk with lstat(2)'s st_blocks
// (512-byte units, see stat(2)), counting each inode once, as du(1) does: a layer's hardlinked
// files are not counted twice. An image is active while a container stands on its layers; the
// rest is reclaimable by `image prune -a`. Volumes are counted as Docker and `volume prune`
// count them, by apparent size (volume_size); one is active while any container mounts it.
//
// Interface: disk_usage, measure_disk_usage, format_disk_usage
#include "boxlab/container/disk_usage.hpp"

#include <set>
#include <utility>

#include "boxlab/container/container_volumes.hpp"
#include "boxlab/container/lifecycle.hpp"
#include "boxlab/fs/overlay.hpp"
#include "boxlab/image/image.hpp"
#include "boxlab/image/layers.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/text.hpp"

namespace boxlab::container {

namespace stdfs = std::filesystem;

uint64_t disk_usage(const stdfs::path& path) {
  std::error_code ec;
  if (!stdfs::exists(stdfs::symlink_status(path, ec))) return 0;
  std::set<std::pair<dev_t, ino_t>> seen;
  auto count = [&](const stdfs::path& p) -> uint64_t {
    struct stat st = sys::lstat(p);
    if (!seen.insert({st.st_dev, st.st_ino}).second) return 0;
    return static_cast<uint64_t>(st.st_blocks) * 512;
  };
  uint64_t total = count(path);
  if (!stdfs::is_directory(stdfs::symlink_status(path, ec))) return total;
  for (auto it = stdfs::recursive_directory_iterator(path, stdfs::directory_options::skip_permission_denied, ec);
       !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec))
    total += count(it->path());
  return total;
}

std::vector<DiskUsageRow> measure_disk_usage(const StateRoot& root) {
  DiskUsageRow images{"Images"}, containers{"Containers"}, volumes{"Local Volumes"}, cache{"Build Cache"};
  std::set<std::string> used_layer_dirs;
  for (const std::string& overlays : {root.overlays(), root.container_layers()}) {  // lab 05's, and lab 07's on
    if (!sys::exists(overlays)) continue;
    for (const auto& entry : stdfs::directory_iterator(overlays)) {
      std::string id = entry.path().filename().string();
      if (id.size() != 64 || !entry.is_directory()) continue;
      fs::OverlayDirs dirs = fs::find_container_layer(overlays, id);
      ++containers.total;
      containers.size += disk_usage(dirs.upper);
      used_layer_dirs.insert(dirs.layers.begin(), dirs.layers.end());
    }
  }
  containers.reclaimable = containers.size;
  if (sys::exists(root.images())) {
    image::Store store(root.images());
    image::LayerStore layers(root.layers());
    images.size = disk_usage(store.dir() / "blobs");
    images.reclaimable = images.size;
    std::set<std::string> measured;  // a layer shared by images is counted once
    for (const auto& image : image::list_images(store)) {
      ++images.total;
      bool active = false;
      for (const auto& diff_id : image.diff_ids)
        active = active || used_layer_dirs.count(layers.path(diff_id).string());
      if (active) ++images.active;
      for (const auto& diff_id : image.diff_ids) {
        if (!measured.insert(diff_id.hex).second) continue;
        uint64_t size = disk_usage(layers.path(diff_id));
        images.size += size;
        if (!used_layer_dirs.count(layers.path(diff_id).string())) images.reclaimable += size;
      }
    }
  }
  if (sys::exists(root.volumes())) {
    std::set<std::string> in_use = volumes_in_use(Containers::of(root).store);
    for (const auto& v : VolumeStore(root.volumes()).list()) {
      uint64_t size = volume_size(v.mountpoint);  // apparent sizes, as Docker and volume prune count them
      ++volumes.total;
      volumes.size += size;
      if (in_use.count(v.name)) ++volumes.active;
      else volumes.reclaimable += size;
    }
  }
  return {images, containers, volumes, cache};
}

std::string format_disk_usage(const std::vector<DiskUsageRow>& rows) {
  std::vector<std::vector<std::string>> table{{"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"}};
  for (const auto& row : rows) {
    std::string reclaimable = sys::decimal_size(row.reclaimable);
    if (row.size) reclaimable += " (" + std::to_string(row.reclaimable * 100 / row.size) + "%)";
    table.push_back({row.type, std::to_string(row.total), std::to_string(row.active), sys::decimal_size(row.size),
                     reclaimable});
  }
  return sys::format_table(table);
}

}  // namespace boxlab::container
