// Media types: what kind of blob a descriptor points at (image-spec media-types.md).
//
// An image is a small tree of JSON documents (index -> manifest -> config and layers) whose
// edges are descriptors. Each document's type is named by its media type, never guessed from
// its contents: a registry may serve Docker's schema2 types or OCI's, and both are read the same
// way (Docker's manifest v2 schema 2 became OCI's manifest). Anything else (schema1, Helm
// charts, artefacts) is refused by name, so an unexpected document cannot be misread as a layer.
//
// Interface: media_kind, require_media_kind, sniff_layer_media_type
#include "boxlab/image/media_types.hpp"

#include <fcntl.h>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

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

std::string sniff_layer_media_type(const std::string& path) {
  sys::UniqueFd fd = sys::open(path, O_RDONLY);
  unsigned char magic[6] = {};
  size_t n = sys::read(fd.get(), magic, sizeof magic);
  if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return std::string(media_type::kOciLayerGzip);
  if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
    return std::string(media_type::kOciLayerZstd);
  if (n >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h')
    throw Error(path + ": bzip2 is not a layer compression; use gzip, zstd or a plain tar");
  if (n >= 6 && magic[0] == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X' && magic[4] == 'Z')
    throw Error(path + ": xz is not a layer compression; use gzip, zstd or a plain tar");
  return std::string(media_type::kOciLayer);
}

}  // namespace boxlab::image
