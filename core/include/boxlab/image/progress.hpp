/**
 * @file progress.hpp
 * @brief What a pull or push reports about each layer while it works, for a progress display.
 *
 * The steps are the ones `docker pull` and `docker push` print per layer ("Pulling fs layer",
 * "Downloading", "Download complete", "Extracting", "Pull complete", "Already exists",
 * "Pushing", "Pushed"); the display itself (a bar per layer on a terminal, plain lines
 * otherwise) belongs to the command line, not to core.
 */
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace boxlab::image {

/// A step of one layer's transfer.
enum class LayerStep {
  kWaiting,      ///< listed, not started ("Pulling fs layer", "Preparing")
  kExists,       ///< nothing to transfer ("Already exists", "Layer already exists")
  kTransferring, ///< bytes are moving (done/total say how many)
  kTransferred,  ///< all bytes moved and verified ("Download complete", "Pushed")
  kExtracting,   ///< being unpacked
  kComplete,     ///< unpacked and verified ("Pull complete")
};

/// One report about one layer.
struct LayerEvent {
  LayerStep step = LayerStep::kWaiting;  ///< where the layer is
  std::string layer;   ///< the layer's short id: 12 hex digits of its blob digest
  uint64_t done = 0;   ///< bytes moved so far (kTransferring)
  uint64_t total = 0;  ///< bytes to move
};

/// Receives the reports of a pull or a push.
using LayerObserver = std::function<void(const LayerEvent&)>;

}  // namespace boxlab::image
