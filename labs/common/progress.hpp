// The per-layer progress of a pull or push, as docker prints it: on a terminal, one line per
// layer, rewritten in place as bytes arrive ("a1b2c3d4e5f6: Downloading [=====>    ] 1.2MB/2.2MB");
// otherwise one plain line each time a layer changes step, so logs and CI output stay readable.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "boxlab/image/progress.hpp"

namespace labcli {

/// Draws LayerEvents on a stream; call it as the LayerObserver of a pull or push.
class LayerProgress {
 public:
  /// Draw on @p out; @p pushing picks push's words ("Pushing", "Pushed") over pull's.
  LayerProgress(std::FILE* out, bool pushing);
  /// Draw one event.
  void operator()(const boxlab::image::LayerEvent& event);

 private:
  struct Layer {
    std::string id;
    boxlab::image::LayerStep step = boxlab::image::LayerStep::kWaiting;
    int drawn_percent = -1;
  };
  std::string describe(const boxlab::image::LayerEvent& event) const;
  void draw(size_t index, const std::string& text);

  std::FILE* out_;
  bool pushing_;
  bool terminal_;
  std::vector<Layer> layers_;
};

}  // namespace labcli
