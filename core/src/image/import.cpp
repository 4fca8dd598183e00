// import: a root filesystem tarball becomes an image of one layer.
//
// This is how images began before Dockerfiles: tar up a root filesystem, `docker import` it.
// The tarball is stored as the layer blob unchanged (its compression decides its media type),
// unpacked like any pulled layer (confined by openat2, which also yields the diff_id: the digest
// of the uncompressed tar), and described by a config and a manifest written here. Nothing is
// named until all of that is stored.
//
// Interface: import_rootfs
#include "boxlab/image/import.hpp"


#include <nlohmann/json.hpp>

#include "boxlab/image/platform.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/text.hpp"

namespace boxlab::image {

namespace {

using nlohmann::json;

json descriptor_json(const Descriptor& d) { return {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}}; }

}  // namespace

Image import_rootfs(const Store& store, const LayerStore& layers, const std::filesystem::path& tarball,
                    const Reference& as, const std::string& message) {
  return with_context("import " + tarball.string(), [&] {
    // Stored first and typed after: the tarball may be a pipe (stdin), readable only once.
    Descriptor layer = store.put_blob_file(tarball, "application/octet-stream");
    layer.media_type = sniff_layer_media_type(store.blob_path(layer.digest));
    UnpackResult unpacked = layers.unpack(store, layer, std::nullopt);
    std::string created = sys::now_rfc3339();
    Platform platform = default_platform();
    json config{{"architecture", platform.architecture},
                {"os", platform.os},
                {"created", created},
                {"config", json::object()},
                {"rootfs", {{"type", "layers"}, {"diff_ids", {unpacked.diff_id.str()}}}},
                {"history", {{{"created", created}, {"comment", message.empty() ? "Imported from " + tarball.string() : message}}}}};
    Descriptor config_blob = store.put_config(config.dump());
    json manifest{{"schemaVersion", 2},
                  {"mediaType", media_type::kOciManifest},
                  {"config", descriptor_json(config_blob)},
                  {"layers", {descriptor_json(layer)}}};
    Descriptor stored = store.put_manifest(manifest.dump());
    store.tag(as, stored);
    Image image = load_image(store, stored);
    image.names.push_back(as.str());
    return image;
  });
}

}  // namespace boxlab::image
