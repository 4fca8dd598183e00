/**
 * @file remove.hpp
 * @brief `rmi` and `image prune`: untag images and free what no name reaches any more.
 *
 * A name is removed from index.json first; blobs and unpacked layers are deleted only when no
 * remaining name reaches them, so removing one of two tags of an image frees nothing
 * ("Untagged:" without "Deleted:"), as with docker.
 */
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "boxlab/image/layers.hpp"
#include "boxlab/image/store.hpp"

namespace boxlab::image {

/// What a removal did, in the lines docker prints.
struct Removal {
  std::vector<std::string> untagged;  ///< familiar names removed from index.json
  std::vector<std::string> deleted;   ///< image ids and layer diff_ids deleted ("sha256:…")
  uint64_t reclaimed = 0;             ///< bytes freed (blobs and unpacked layers)

  /// "Untagged: NAME" and "Deleted: ID" lines, as docker rmi prints them.
  std::string lines() const;
};

/// Images containers use: image id ("sha256:…") -> the id of a container that uses it.
using ImagesInUse = std::map<std::string, std::string>;

/**
 * @brief Remove @p name_or_id: a name untags that name; an id untags every name of the image
 *        (only with @p force when there are several). Then free what nothing reaches.
 *
 * Refused (unless @p force, which then only untags) when a container in @p in_use uses the image.
 */
Removal remove_image(const Store& store, const LayerStore& layers, std::string_view name_or_id, bool force,
                     const ImagesInUse& in_use = {});

/// `image prune`: delete blobs and unpacked layers no name reaches; with @p all, first untag
/// every image no container in @p in_use uses.
Removal prune_images(const Store& store, const LayerStore& layers, bool all, const ImagesInUse& in_use = {});

}  // namespace boxlab::image
