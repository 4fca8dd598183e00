#include "progress.hpp"

#include <unistd.h>

#include "boxlab/sys/text.hpp"

namespace labcli {

namespace image = boxlab::image;

LayerProgress::LayerProgress(std::FILE* out, bool pushing)
    : out_(out), pushing_(pushing), terminal_(::isatty(fileno(out)) == 1) {}

// docker's progress bar: 50 columns of '=' ending in '>', then the byte counts.
std::string LayerProgress::describe(const image::LayerEvent& e) const {
  using image::LayerStep;
  switch (e.step) {
    case LayerStep::kWaiting: return pushing_ ? "Preparing" : "Pulling fs layer";
    case LayerStep::kExists: return pushing_ ? "Layer already exists" : "Already exists";
    case LayerStep::kTransferred: return pushing_ ? "Pushed" : "Download complete";
    case LayerStep::kExtracting: return "Extracting";
    case LayerStep::kComplete: return "Pull complete";
    case LayerStep::kTransferring: break;
  }
  std::string word = pushing_ ? "Pushing" : "Downloading";
  if (!terminal_ || e.total == 0) return word;
  size_t filled = static_cast<size_t>(50 * e.done / e.total);
  std::string bar = "[" + std::string(filled, '=') + (filled < 50 ? ">" + std::string(49 - filled, ' ') : "") + "]";
  return word + " " + bar + " " + boxlab::sys::decimal_size(e.done, 3) + "/" + boxlab::sys::decimal_size(e.total, 3);
}

// On a terminal, line @p index of the layers' block is rewritten in place: up to it with
// "ESC[nA", clear it with "ESC[2K", and back down (the cursor rests below the block).
void LayerProgress::draw(size_t index, const std::string& text) {
  std::string line = layers_[index].id + ": " + text;
  if (!terminal_) {
    std::fprintf(out_, "%s\n", line.c_str());
  } else {
    size_t up = layers_.size() - index;
    std::fprintf(out_, "\x1b[%zuA\r\x1b[2K%s\x1b[%zuB\r", up, line.c_str(), up);
  }
  std::fflush(out_);
}

void LayerProgress::operator()(const image::LayerEvent& event) {
  size_t index = 0;
  while (index < layers_.size() && layers_[index].id != event.layer) ++index;
  if (index == layers_.size()) {
    layers_.push_back({event.layer});
    if (terminal_) std::fputs("\n", out_);  // a new line for the new layer, drawn below
  }
  Layer& layer = layers_[index];
  if (event.step == image::LayerStep::kTransferring) {
    int percent = event.total ? static_cast<int>(100 * event.done / event.total) : 0;
    bool first = layer.step != image::LayerStep::kTransferring;
    // Plain output says "Downloading" once; a terminal redraws when the bar moves a percent.
    if ((!terminal_ && !first) || (terminal_ && !first && percent == layer.drawn_percent)) return;
    layer.drawn_percent = percent;
  }
  layer.step = event.step;
  draw(index, describe(event));
}

}  // namespace labcli
