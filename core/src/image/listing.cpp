// The image commands' output: tables and inspect JSON in docker's formats.
//
// A store lists names; `images` lists rows, one per name, so an image tagged twice appears
// twice with one IMAGE ID. An image's SIZE is its layers' uncompressed size (the disk a
// container of it stands on), not the download size. `history` walks the config's history
// newest first: steps with "empty_layer" (ENV, CMD, …) made no layer and show 0B; the others
// take the image's layers in order, base first. Only the newest step has an id; docker shows
// the older ones as <missing>, because it has no image id for intermediate steps of a pulled
// image.
//
// Interface: format_images, format_history, inspect_images, familiar_repository
#include "boxlab/image/listing.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "boxlab/sys/text.hpp"

namespace boxlab::image {

namespace {

using nlohmann::ordered_json;

std::string shown_id(const Image& image, bool no_trunc) { return no_trunc ? image.id() : image.short_id(); }

std::vector<Image> newest_first(std::vector<Image> images) {
  std::stable_sort(images.begin(), images.end(), [](const Image& a, const Image& b) {
    return sys::parse_rfc3339(a.created).value_or(0) > sys::parse_rfc3339(b.created).value_or(0);
  });
  return images;
}

std::string truncated(const std::string& text, size_t width, bool no_trunc) {
  if (no_trunc || text.size() <= width) return text;
  return text.substr(0, width - 1) + "…";
}

ordered_json config_object(const Image& image) {
  ordered_json doc = ordered_json::parse(image.config_json, nullptr, false);
  if (doc.is_object() && doc.contains("config") && doc["config"].is_object()) return doc["config"];
  return ordered_json::object();
}

}  // namespace

std::string familiar_repository(const std::string& reference) {
  Reference ref = Reference::parse(reference);
  std::string name = ref.familiar();
  if (ref.digest()) name = name.substr(0, name.size() - ref.digest()->str().size() - 1);
  if (!ref.tag().empty()) name = name.substr(0, name.size() - ref.tag().size() - 1);
  return name;
}

std::string format_images(const std::vector<Image>& images, const LayerStore& layers, const ImagesFormat& format) {
  std::vector<std::vector<std::string>> rows;
  if (format.quiet) {
    std::string out;
    for (const auto& image : newest_first(images))  // a line per row, as docker: an image with two tags twice
      for (size_t i = 0; i < std::max<size_t>(image.names.size(), 1); ++i) out += shown_id(image, format.no_trunc) + "\n";
    return out;
  }
  std::vector<std::string> header{"REPOSITORY", "TAG"};
  if (format.digests) header.push_back("DIGEST");
  for (const char* column : {"IMAGE ID", "CREATED", "SIZE"}) header.push_back(column);
  rows.push_back(header);
  for (const auto& image : newest_first(images)) {
    std::vector<std::string> names = image.names;
    if (names.empty()) names.push_back("");
    for (const auto& name : names) {
      Reference ref = name.empty() ? Reference{} : Reference::parse(name);
      std::vector<std::string> row{name.empty() ? "<none>" : familiar_repository(name),
                                   ref.tag().empty() ? "<none>" : ref.tag()};
      if (format.digests) {
        size_t at = image.repo_digest.find('@');
        row.push_back(at == std::string::npos ? "<none>" : image.repo_digest.substr(at + 1));
      }
      row.push_back(shown_id(image, format.no_trunc));
      row.push_back(sys::time_ago(image.created));
      row.push_back(sys::decimal_size(layers.image_size(image), 3));
      rows.push_back(row);
    }
  }
  return sys::format_table(rows);
}

std::string format_history(const Image& image, const LayerStore& layers, bool no_trunc, bool human) {
  std::vector<std::vector<std::string>> rows{{"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"}};
  std::vector<uint64_t> sizes(image.history.size(), 0);
  size_t layer = 0;
  for (size_t i = 0; i < image.history.size(); ++i) {
    if (image.history[i].empty_layer || layer >= image.layers.size()) continue;
    uint64_t unpacked = layers.size(image.diff_ids[layer]);
    sizes[i] = unpacked ? unpacked : image.layers[layer].size;
    ++layer;
  }
  for (size_t i = image.history.size(); i-- > 0;) {
    const HistoryEntry& step = image.history[i];
    std::string id = i + 1 == image.history.size() ? shown_id(image, no_trunc) : "<missing>";
    std::string created = human ? sys::time_ago(step.created) : step.created;
    std::string size = human ? sys::decimal_size(sizes[i], 3) : std::to_string(sizes[i]);
    rows.push_back({id, created, truncated(step.created_by, 45, no_trunc), size, step.comment});
  }
  return sys::format_table(rows);
}

std::string inspect_images(const std::vector<Image>& images, const LayerStore& layers) {
  ordered_json out = ordered_json::array();
  for (const auto& image : images) {
    ordered_json tags = ordered_json::array(), digests = ordered_json::array(), diff_ids = ordered_json::array();
    for (const auto& name : image.names) {
      Reference ref = Reference::parse(name);
      if (!ref.tag().empty()) tags.push_back(ref.familiar());
    }
    if (!image.repo_digest.empty()) digests.push_back(Reference::parse(image.repo_digest).familiar());
    for (const auto& diff_id : image.diff_ids) diff_ids.push_back(diff_id.str());
    ordered_json entry{{"Id", image.id()},
                       {"RepoTags", tags},
                       {"RepoDigests", digests},
                       {"Parent", ""},
                       {"Comment", image.history.empty() ? "" : image.history.back().comment},
                       {"Created", image.created},
                       {"Author", image.author},
                       {"Config", config_object(image)},
                       {"Architecture", image.architecture}};
    if (!image.variant.empty()) entry["Variant"] = image.variant;
    entry["Os"] = image.os;
    entry["Size"] = layers.image_size(image);
    entry["RootFS"] = {{"Type", "layers"}, {"Layers", diff_ids}};
    entry["Descriptor"] = {{"mediaType", image.manifest.media_type},
                           {"digest", image.manifest.digest.str()},
                           {"size", image.manifest.size}};
    out.push_back(entry);
  }
  return out.dump(4) + "\n";
}

}  // namespace boxlab::image
