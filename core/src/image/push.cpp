// Push: the reverse of pull, in the order a registry accepts.
//
// A registry checks that every blob a manifest names is present when the manifest arrives, so
// layers and config go first and the manifest last. Each blob is first asked for with HEAD,
// which is why a second push of the same image uploads nothing ("Layer already exists"). The
// blobs are read from the store, where their digest is their name; Registry::push_blob hashes
// the file again before sending it, so a store damaged on disk cannot publish wrong bytes.
//
// Interface: push
#include "boxlab/image/push.hpp"

#include "boxlab/sys/error.hpp"

namespace boxlab::image {

PushResult push(const Store& store, const Reference& reference, const RegistryOptions& options,
                const LayerObserver& observe) {
  return with_context("push " + reference.familiar(), [&] {
    if (reference.tag().empty()) throw Error("push needs a tag (NAME:TAG), not a digest");
    std::optional<Descriptor> manifest = store.resolve(reference);
    if (!manifest) throw Error("No such image: " + reference.familiar());
    if (media_kind(manifest->media_type) != MediaKind::kManifest)
      throw Error("only single-platform images can be pushed; this one is an index");
    ManifestParts parts = store.read_manifest(*manifest);
    Registry registry(reference.registry(), options);

    auto send = [&](const Descriptor& blob, bool is_layer) {
      std::string id = blob.digest.hex.substr(0, 12);
      if (is_layer && observe) observe({LayerStep::kTransferring, id, 0, blob.size});
      bool uploaded = registry.push_blob(reference.repository(), blob.digest, store.blob_path(blob.digest));
      if (is_layer && observe) observe({uploaded ? LayerStep::kTransferred : LayerStep::kExists, id, blob.size, blob.size});
    };
    for (const auto& layer : parts.layers)
      if (observe) observe({LayerStep::kWaiting, layer.digest.hex.substr(0, 12), 0, layer.size});
    for (const auto& layer : parts.layers) send(layer, true);
    send(parts.config, false);

    std::string bytes = store.read_json_blob(*manifest);
    PushResult result;
    result.tag = reference.tag();
    result.digest = registry.push_manifest(reference.repository(), reference.tag(), manifest->media_type, bytes);
    result.size = bytes.size();
    return result;
  });
}

}  // namespace boxlab::image
