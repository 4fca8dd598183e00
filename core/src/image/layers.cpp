// Unpacked layers, shared between images by diff_id.
//
// A manifest names compressed blobs by their digest; a config names the same layers by the
// digest of their uncompressed tar, the diff_id (image-spec config.md, "Layer DiffID"). The
// unpacked directory is keyed by the diff_id because that is what identifies the contents: the
// same tar compressed twice gives two blobs but one layer. unpack_layer() (unpack.cpp) writes
// into a temporary directory and renames it into place once the diff_id is verified, so a
// directory named by a diff_id is always complete.
//
// Interface: LayerStore::{has,size,image_size,unpack,ensure,remove_unused,total_size}
#include "boxlab/image/layers.hpp"

#include <fcntl.h>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::image {

namespace stdfs = std::filesystem;

bool LayerStore::has(const Digest& diff_id) const { return sys::exists(path(diff_id)); }

uint64_t LayerStore::size(const Digest& diff_id) const {
  if (!sys::exists(size_file(diff_id))) return 0;
  try {
    return std::stoull(sys::read_file(size_file(diff_id)));
  } catch (const std::exception&) {
    return 0;  // a damaged size file only costs the listing a figure
  }
}

uint64_t LayerStore::image_size(const Image& image) const {
  uint64_t total = 0;
  for (size_t i = 0; i < image.diff_ids.size(); ++i) {
    uint64_t unpacked = size(image.diff_ids[i]);
    total += unpacked ? unpacked : image.layers.at(i).size;
  }
  return total;
}

UnpackResult LayerStore::unpack(const Store& store, const Descriptor& layer, const std::optional<Digest>& diff_id,
                                const UnpackOptions& options) const {
  return with_context("layer " + layer.digest.str(), [&] {
    require_media_kind(layer.media_type, MediaKind::kLayer, "layer");
    if (!store.has_blob(layer.digest)) throw Error("the blob is not in the store");
    UnpackResult result = unpack_layer(store.blob_path(layer.digest), dir_, diff_id, options);
    if (!result.reused) {
      sys::UniqueFd out = sys::open(size_file(result.diff_id), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      sys::write_all(out.get(), std::to_string(result.tar_bytes));
    }
    return result;
  });
}

std::vector<std::string> LayerStore::ensure(const Store& store, const Image& image, const UnpackOptions& options) const {
  std::vector<std::string> dirs;
  for (size_t i = 0; i < image.layers.size(); ++i)
    dirs.push_back(unpack(store, image.layers[i], image.diff_ids.at(i), options).dir);
  return dirs;
}

std::vector<RemovedLayer> LayerStore::remove_unused(const Store& store, const std::set<std::string>& in_use) const {
  std::vector<RemovedLayer> removed;
  if (!sys::exists(dir_)) return removed;
  std::set<std::string> wanted = in_use;
  for (const auto& image : list_images(store))
    for (const auto& diff_id : image.diff_ids) wanted.insert(diff_id.hex);
  for (const auto& entry : stdfs::directory_iterator(dir_)) {
    std::string name = entry.path().filename().string();
    if (name.size() != 64 || !entry.is_directory() || wanted.count(name)) continue;
    Digest diff_id{"sha256", name};
    removed.push_back({diff_id, size(diff_id)});
    remove_unpacked(entry.path());
    std::error_code ignored;
    stdfs::remove(size_file(diff_id), ignored);
  }
  return removed;
}

uint64_t LayerStore::total_size() const {
  uint64_t total = 0;
  if (!sys::exists(dir_)) return 0;
  for (const auto& entry : stdfs::directory_iterator(dir_)) {
    std::string name = entry.path().filename().string();
    if (name.size() == 64 && entry.is_directory()) total += size({"sha256", name});
  }
  return total;
}

}  // namespace boxlab::image
