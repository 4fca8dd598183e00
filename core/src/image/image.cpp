// Images as the image commands see them: index.json entry -> manifest -> config.
//
// The store knows blobs and names; this file knows what they mean. An image is found by walking
// from a name in index.json to its manifest (config + layers) and reading the config, a JSON
// document of image-spec config.md:
//
//   {"architecture":"amd64","os":"linux","created":"…",
//    "config":{"Env":[…],"Cmd":["sh"],"WorkingDir":"","User":"",…},
//    "rootfs":{"type":"layers","diff_ids":["sha256:…"]},
//    "history":[{"created":"…","created_by":"…","empty_layer":true},…]}
//
// Docker's IMAGE ID is the config's digest, so several names pointing to one manifest are one
// image with several tags, and `docker rmi 3f57` works with any unique prefix of the id.
// A config's fields are optional and may be null (Docker writes "Cmd":null); reading them is
// lenient in what it accepts but strict about types: a string where a list belongs is refused.
//
// Interface: load_image, list_images, find_image, Image::download_size
#include "boxlab/image/image.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "boxlab/sys/error.hpp"

namespace boxlab::image {

namespace {

using nlohmann::json;

std::string string_field(const json& object, const char* key, const std::string& what) {
  if (!object.contains(key) || object[key].is_null()) return {};
  if (!object[key].is_string()) throw Error(what + ": " + key + " must be a string");
  return object[key].get<std::string>();
}

std::vector<std::string> strings_field(const json& object, const char* key, const std::string& what) {
  std::vector<std::string> out;
  if (!object.contains(key) || object[key].is_null()) return out;
  if (!object[key].is_array()) throw Error(what + ": " + key + " must be a list of strings");
  for (const auto& item : object[key]) {
    if (!item.is_string()) throw Error(what + ": " + key + " must be a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

// ExposedPorts and Volumes are objects whose keys are the values: {"80/tcp":{}}.
std::vector<std::string> keys_field(const json& object, const char* key) {
  std::vector<std::string> out;
  if (object.contains(key) && object[key].is_object())
    for (const auto& [name, ignored] : object[key].items()) out.push_back(name);
  return out;
}

ContainerConfig parse_container_config(const json& config, const std::string& what) {
  ContainerConfig out;
  if (!config.is_object()) return out;
  out.env = strings_field(config, "Env", what);
  out.cmd = strings_field(config, "Cmd", what);
  out.entrypoint = strings_field(config, "Entrypoint", what);
  out.working_dir = string_field(config, "WorkingDir", what);
  out.user = string_field(config, "User", what);
  out.exposed_ports = keys_field(config, "ExposedPorts");
  out.volumes = keys_field(config, "Volumes");
  out.stop_signal = string_field(config, "StopSignal", what);
  if (config.contains("Labels") && config["Labels"].is_object())
    for (const auto& [key, value] : config["Labels"].items())
      if (value.is_string()) out.labels[key] = value.get<std::string>();
  return out;
}

std::vector<HistoryEntry> parse_history(const json& doc, const std::string& what) {
  std::vector<HistoryEntry> out;
  if (!doc.contains("history") || !doc["history"].is_array()) return out;
  for (const auto& step : doc["history"]) {
    if (!step.is_object()) throw Error(what + ": history entries must be objects");
    out.push_back({string_field(step, "created", what), string_field(step, "created_by", what),
                   string_field(step, "comment", what), step.value("empty_layer", false)});
  }
  return out;
}

void parse_config(Image& image, const std::string& text) {
  std::string what = "image config " + image.config.digest.str();
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw Error(what + ": not a JSON object");
  image.config_json = text;
  image.created = string_field(doc, "created", what);
  image.author = string_field(doc, "author", what);
  image.os = string_field(doc, "os", what);
  image.architecture = string_field(doc, "architecture", what);
  image.variant = string_field(doc, "variant", what);
  if (doc.contains("config")) image.container_config = parse_container_config(doc["config"], what);
  image.history = parse_history(doc, what);
  if (!doc.contains("rootfs") || !doc["rootfs"].is_object()) throw Error(what + ": no rootfs");
  for (const auto& id : strings_field(doc["rootfs"], "diff_ids", what))
    image.diff_ids.push_back(with_context(what + ": diff_ids", [&] { return Digest::parse(id); }));
  if (image.diff_ids.size() != image.layers.size())
    throw Error(what + ": " + std::to_string(image.diff_ids.size()) + " diff_ids for " +
                std::to_string(image.layers.size()) + " layers");
}

bool is_hex(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

uint64_t Image::download_size() const {
  uint64_t total = 0;
  for (const auto& layer : layers) total += layer.size;
  return total;
}

Image load_image(const Store& store, const Descriptor& manifest) {
  return with_context("image " + manifest.digest.str(), [&] {
    Image image;
    image.manifest = manifest;
    if (media_kind(manifest.media_type) == MediaKind::kIndex)
      throw Error("the name points to an index of several platforms; pull one platform (--platform)");
    ManifestParts parts = store.read_manifest(manifest);
    image.config = parts.config;
    image.layers = parts.layers;
    parse_config(image, store.read_json_blob(parts.config));
    if (auto it = manifest.annotations.find(std::string(kRepoDigestAnnotation)); it != manifest.annotations.end())
      image.repo_digest = it->second;
    return image;
  });
}

std::vector<Image> list_images(const Store& store) {
  std::vector<Image> images;
  for (const auto& stored : store.list()) {
    auto same = std::find_if(images.begin(), images.end(),
                             [&](const Image& i) { return i.manifest.digest == stored.manifest.digest; });
    if (same == images.end()) {
      images.push_back(load_image(store, stored.manifest));
      same = images.end() - 1;
    }
    if (!stored.name.empty()) same->names.push_back(stored.name);
  }
  return images;
}

Image find_image(const Store& store, std::string_view name_or_id) {
  std::string text(name_or_id);
  std::string hex = text.starts_with("sha256:") ? text.substr(7) : text;
  // An id, or a prefix of one: Docker tries ids before names only for 64 hex digits, and
  // prefixes when no name matches; a name like "cafe" is both, and the name wins.
  std::vector<Image> images = list_images(store);
  std::optional<Reference> reference;
  try {
    reference = Reference::parse(text);
  } catch (const Error&) {
    if (!is_hex(hex)) throw;
  }
  if (reference && hex.size() != 64) {
    for (const auto& image : images)
      for (const auto& name : image.names)
        if (name == reference->str() || name == reference->familiar()) return image;
    if (reference->digest())
      for (const auto& image : images)
        if (image.manifest.digest == *reference->digest()) return image;
  }
  if (is_hex(hex) && (hex.size() >= 4 || text.starts_with("sha256:"))) {
    std::vector<const Image*> found;
    for (const auto& image : images)
      if (image.config.digest.hex.starts_with(hex)) found.push_back(&image);
    if (found.size() == 1) return *found.front();
    if (found.size() > 1) throw Error("image id prefix '" + text + "' is ambiguous: it matches " + std::to_string(found.size()) + " images");
  }
  throw Error("No such image: " + (reference ? reference->familiar() : text));
}

}  // namespace boxlab::image
