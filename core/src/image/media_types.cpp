// Media types: what kind of blob a descriptor points at (image-spec media-types.md).
//
// An image is a small tree of JSON documents (index -> manifest -> config and layers) whose
// edges are descriptors. Each document's type is named by its media type, never guessed from
// its contents: a registry may serve Docker's schema2 types or OCI's, and both are read the same
// way (Docker's manifest v2 schema 2 became OCI's manifest). Anything else (schema1, Helm
// charts, artefacts) is refused by name, so an unexpected document cannot be misread as a layer.
//
// Interface: media_kind, require_media_kind
#include "boxlab/image/media_types.hpp"

#include "boxlab/sys/error.hpp"

namespace boxlab::image {

MediaKind media_kind(std::string_view type) {
  namespace mt = media_type;
  if (type == mt::kOciIndex || type == mt::kDockerManifestList) return MediaKind::kIndex;
  if (type == mt::kOciManifest || type == mt::kDockerManifest) return MediaKind::kManifest;
  if (type == mt::kOciConfig || type == mt::kDockerConfig) return MediaKind::kConfig;
  if (type == mt::kOciLayer || type == mt::kOciLayerGzip || type == mt::kOciLayerZstd ||
      type == mt::kOciLayerNondistributableGzip ||
      type == mt::kDockerLayerGzip || type == mt::kDockerForeignLayerGzip)
    return MediaKind::kLayer;
  return MediaKind::kUnknown;
}

namespace {
const char* kind_name(MediaKind kind) {
  switch (kind) {
    case MediaKind::kIndex: return "an index";
    case MediaKind::kManifest: return "a manifest";
    case MediaKind::kConfig: return "an image config";
    case MediaKind::kLayer: return "a layer";
    case MediaKind::kUnknown: break;
  }
  return "known";
}
}  // namespace

void require_media_kind(std::string_view type, MediaKind want, std::string_view what) {
  MediaKind kind = media_kind(type);
  if (kind == want) return;
  std::string prefix = std::string(what) + ": media type '" + std::string(type) + "'";
  if (kind == MediaKind::kUnknown) throw Error(prefix + " is unknown (expected " + kind_name(want) + ")");
  throw Error(prefix + " is " + kind_name(kind) + ", expected " + kind_name(want));
}

}  // namespace boxlab::image
