/**
 * @file pull.hpp
 * @brief `pull`: an image from a registry into the store, its layers unpacked and verified.
 *
 * The order is what makes an interrupted pull harmless: every blob is verified before it gets
 * its name, the manifest is stored after its config and layers, the layers are unpacked and
 * their diff_ids checked against the config, and only then is the name written to index.json.
 * A pull killed at any point leaves verified blobs (reused by the next pull, removed by
 * `image prune`) and abandoned temporary files (swept when the store is next opened), never a
 * name that points to something incomplete.
 */
#pragma once

#include <optional>
#include <string>

#include "boxlab/image/image.hpp"
#include "boxlab/image/layers.hpp"
#include "boxlab/image/platform.hpp"
#include "boxlab/image/progress.hpp"
#include "boxlab/image/reference.hpp"
#include "boxlab/image/registry.hpp"
#include "boxlab/image/store.hpp"

namespace boxlab::image {

/// How to pull.
struct PullOptions {
  /// The platform to choose from a multi-platform image (linux/amd64 when not given). When
  /// given, a single-platform image of another platform is refused.
  std::optional<Platform> platform;
  RegistryOptions registry;  ///< credentials, timeouts
  UnpackOptions unpack;      ///< limits for unpacking each layer
};

/// What a pull did.
struct PullResult {
  Image image;              ///< the image now in the store
  std::string repo_digest;  ///< "docker.io/library/busybox@sha256:…": what the registry served
  bool up_to_date = false;  ///< the name already pointed to this manifest
};

/**
 * @brief Pull @p reference from its registry into @p store, unpacking its layers into @p layers.
 *
 * An index (multi-platform image) is resolved to one manifest for the platform. Blobs already in
 * the store are not downloaded again, layers already unpacked are not unpacked again.
 * @p observe hears about each layer (progress.hpp).
 */
PullResult pull(const Store& store, const LayerStore& layers, const Reference& reference,
                const PullOptions& options = {}, const LayerObserver& observe = {});

}  // namespace boxlab::image
