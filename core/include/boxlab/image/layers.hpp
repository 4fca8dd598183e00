/**
 * @file layers.hpp
 * @brief The unpacked layers: one directory per diff_id, shared by every image that has it.
 *
 * A layer blob is compressed and named by its digest; a container needs it unpacked. Unpacked
 * layers live in `<dir>/<diff_id hex>/` (the diff_id is the digest of the uncompressed tar, the
 * name the config gives a layer), so two images built on one base share its directory, and
 * overlayfs stacks them read-only (fs/overlay.hpp). `<dir>/<hex>.size` records the uncompressed
 * size for `images`, `history` and `system df`.
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "boxlab/image/image.hpp"
#include "boxlab/image/unpack.hpp"

namespace boxlab::image {

/// A layer that was removed, and the bytes it freed.
struct RemovedLayer {
  Digest diff_id;     ///< the layer removed
  uint64_t size = 0;  ///< its recorded uncompressed size
};

/// The directory of unpacked layers.
class LayerStore {
 public:
  /// The layers under @p dir (created when a layer is first unpacked).
  explicit LayerStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  /// Where the layer @p diff_id is (or would be) unpacked.
  std::filesystem::path path(const Digest& diff_id) const { return dir_ / diff_id.hex; }
  /// True if @p diff_id is unpacked.
  bool has(const Digest& diff_id) const;
  /// The uncompressed size recorded when @p diff_id was unpacked (0 if unknown).
  uint64_t size(const Digest& diff_id) const;
  /// The uncompressed size of @p image: its layers' sizes (the compressed size when unknown).
  uint64_t image_size(const Image& image) const;

  /**
   * @brief Unpack the blob @p layer of @p store as @p diff_id (all or nothing, confined by
   *        openat2; see unpack.hpp), unless it is unpacked already.
   *
   * Throws if the unpacked tar does not hash to @p diff_id: the config and the layer disagree.
   * Without @p diff_id (an imported tarball), the layer is named by what it hashes to.
   */
  UnpackResult unpack(const Store& store, const Descriptor& layer, const std::optional<Digest>& diff_id,
                      const UnpackOptions& options = {}) const;

  /// The layer directories of @p image, base first, unpacking any that are missing.
  std::vector<std::string> ensure(const Store& store, const Image& image, const UnpackOptions& options = {}) const;

  /// Remove every unpacked layer that no image of @p store has and that is not in @p in_use
  /// (diff_id hex digits of layers running containers stand on).
  std::vector<RemovedLayer> remove_unused(const Store& store, const std::set<std::string>& in_use = {}) const;

  /// The total size recorded for every unpacked layer.
  uint64_t total_size() const;

 private:
  std::filesystem::path size_file(const Digest& diff_id) const { return dir_ / (diff_id.hex + ".size"); }
  std::filesystem::path dir_;
};

}  // namespace boxlab::image
