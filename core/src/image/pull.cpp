// Pull: registry -> store -> unpacked layers, in the order that keeps the store consistent.
//
//   1. GET the manifest for the tag (or digest). If it is an index (a multi-platform image),
//      choose the entry for the platform and GET that manifest by digest.
//   2. Check the manifest (media types, size) before downloading anything it names.
//   3. Download the config (at most 4 MiB, hashed, verified) and every layer blob the store does
//      not have, each streamed into Store::BlobWriter, which hashes it as it is written and
//      renames it under its digest only if the digest and size match.
//   4. Store the manifest, read the config's diff_ids, and unpack each layer into the layer
//      store; unpacking hashes the uncompressed tar, which must equal the config's diff_id.
//   5. Write the name to index.json, the one step that makes the image visible.
// A failure anywhere leaves at most verified but unnamed blobs, which the next pull reuses.
//
// Interface: pull
#include "boxlab/image/pull.hpp"

#include <nlohmann/json.hpp>

#include "boxlab/sys/error.hpp"

namespace boxlab::image {

namespace {

std::string short_layer_id(const Descriptor& layer) { return layer.digest.hex.substr(0, 12); }

// The config: small, so read into memory, capped, and verified before it is stored.
void fetch_config(Registry& registry, const std::string& repository, const Store& store, const Descriptor& config) {
  if (store.has_blob(config.digest)) return;
  if (config.size > kMaxJsonBlobSize)
    throw Error("config " + config.digest.str() + ": " + std::to_string(config.size) + " bytes is more than the limit of " +
                std::to_string(kMaxJsonBlobSize));
  std::string bytes;
  registry.stream_blob(repository, config.digest, config.size, [&](std::string_view chunk) { bytes.append(chunk); });
  with_context("config " + config.digest.str(), [&] { store.put_blob_bytes(bytes, config.media_type, config.digest); });
}

// One layer blob, streamed into the store's ingest area and verified on commit.
void fetch_layer(Registry& registry, const std::string& repository, const Store& store, const Descriptor& layer,
                 const LayerObserver& observe) {
  std::string id = short_layer_id(layer);
  with_context("layer " + layer.digest.str(), [&] {
    Store::BlobWriter writer = store.begin_blob(layer.media_type, layer.digest, layer.size);
    registry.stream_blob(
        repository, layer.digest, layer.size, [&](std::string_view chunk) { writer.write(chunk); },
        [&](uint64_t done, uint64_t total) {
          if (observe) observe({LayerStep::kTransferring, id, done, total});
        });
    writer.commit();
  });
  if (observe) observe({LayerStep::kTransferred, id, layer.size, layer.size});
}

// Step 1: the manifest for the platform, and the digest the registry knows the image by.
Manifest resolve_manifest(Registry& registry, const Reference& reference, const PullOptions& options,
                          Digest& repo_digest) {
  std::string target = reference.digest() ? reference.digest()->str() : reference.tag();
  Manifest top = registry.get_manifest(reference.repository(), target);
  repo_digest = top.digest;
  if (!is_index_media_type(top.media_type)) return top;
  ManifestChoice choice = choose_manifest(top.bytes, options.platform.value_or(default_platform()));
  Manifest chosen = registry.get_manifest(reference.repository(), choice.digest);
  if (!is_manifest_media_type(chosen.media_type))
    throw Error("the index entry for " + choice.platform.str() + " is not an image manifest (" + chosen.media_type + ")");
  return chosen;
}

// Checked on the config, before any layer is downloaded.
void check_platform(const Store& store, const Descriptor& config, const PullOptions& options) {
  if (!options.platform) return;
  nlohmann::json doc = nlohmann::json::parse(store.read_json_blob(config), nullptr, false);
  auto field = [&](const char* key) { return doc.is_object() && doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>() : ""; };
  Platform got{field("os"), field("architecture"), field("variant")};
  if (!options.platform->matches(got))
    throw Error("the image is for " + got.str() + ", not for the requested platform " + options.platform->str());
}

}  // namespace

PullResult pull(const Store& store, const LayerStore& layers, const Reference& reference, const PullOptions& options,
                const LayerObserver& observe) {
  return with_context("pull " + reference.familiar(), [&] {
    Registry registry(reference.registry(), options.registry);
    Digest repo_digest;
    Manifest manifest = resolve_manifest(registry, reference, options, repo_digest);
    ManifestParts parts = Store::parse_manifest(manifest.bytes, manifest.media_type, "manifest " + manifest.digest.str());
    std::optional<Descriptor> existing = store.resolve(reference);

    for (const auto& layer : parts.layers)
      if (observe) observe({store.has_blob(layer.digest) ? LayerStep::kExists : LayerStep::kWaiting, short_layer_id(layer), 0, layer.size});
    Descriptor stored;
    Image image;
    // LAB 06 BEGIN: the steps of a pull in the order that keeps the store sound: config and missing layers (verified), the manifest, the config's diff_ids checked by unpacking each layer into the layer store
    fetch_config(registry, reference.repository(), store, parts.config);
    check_platform(store, parts.config, options);
    for (const auto& layer : parts.layers)
      if (!store.has_blob(layer.digest)) fetch_layer(registry, reference.repository(), store, layer, observe);

    stored = store.put_manifest(manifest.bytes);
    image = load_image(store, stored);
    for (size_t i = 0; i < image.layers.size(); ++i) {
      std::string id = short_layer_id(image.layers[i]);
      bool unpacked = layers.has(image.diff_ids[i]);
      if (observe && !unpacked) observe({LayerStep::kExtracting, id, 0, image.layers[i].size});
      layers.unpack(store, image.layers[i], image.diff_ids[i], options.unpack);
      if (observe && !unpacked) observe({LayerStep::kComplete, id, image.layers[i].size, image.layers[i].size});
    }
    // LAB 06 END

    PullResult result;
    result.repo_digest = reference.name() + "@" + repo_digest.str();
    result.up_to_date = existing && existing->digest == stored.digest;
    stored.annotations[std::string(kRepoDigestAnnotation)] = result.repo_digest;
    stored.platform_os = image.os;
    stored.platform_architecture = image.architecture;
    store.tag(reference, stored);
    result.image = load_image(store, *store.resolve(reference));
    result.image.names.push_back(reference.str());
    return result;
  });
}

}  // namespace boxlab::image
