/**
 * @file push.hpp
 * @brief `push`: an image of the store to a registry, blobs first, the manifest last.
 *
 * A registry accepts a manifest only when every blob it names is there (distribution-spec
 * "Pushing Manifests"), so the layers and the config go first, each skipped when the registry
 * has it already (HEAD), and the manifest is PUT under the tag at the end.
 */
#pragma once

#include <cstdint>
#include <string>

#include "boxlab/image/progress.hpp"
#include "boxlab/image/reference.hpp"
#include "boxlab/image/registry.hpp"
#include "boxlab/image/store.hpp"

namespace boxlab::image {

/// What a push did.
struct PushResult {
  std::string tag;   ///< the tag pushed ("latest")
  Digest digest;     ///< the manifest's digest
  uint64_t size = 0; ///< the manifest's size in bytes
};

/// Push the image @p reference names in @p store to the registry and repository it names.
/// @p observe hears about each layer (kWaiting, kExists or kTransferring then kTransferred).
PushResult push(const Store& store, const Reference& reference, const RegistryOptions& options = {},
                const LayerObserver& observe = {});

}  // namespace boxlab::image
