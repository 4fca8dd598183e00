/**
 * @file media_types.hpp
 * @brief OCI and Docker media types, and the descriptor that carries one.
 *
 * A descriptor (image-spec descriptor.md) is a typed pointer: media type, digest and size of a
 * blob. The media type says how to read the bytes, so a store refuses a manifest, config or
 * layer whose type it does not know instead of guessing (image-spec media-types.md; Docker's
 * schema2 types are the ones registries still serve for older images).
 */
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "boxlab/image/digest.hpp"

namespace boxlab::image {

/// The media types boxlab reads (image-spec media-types.md and Docker's manifest v2 schema 2).
namespace media_type {
/// OCI image index (a list of manifests, one per platform).
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
/// OCI image manifest.
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
/// OCI image config.
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
/// OCI layer, an uncompressed tar.
inline constexpr std::string_view kOciLayer = "application/vnd.oci.image.layer.v1.tar";
/// OCI layer, gzip-compressed tar.
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
/// OCI layer, zstd-compressed tar.
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
/// OCI layer that registries may not redistribute (gzip).
inline constexpr std::string_view kOciLayerNondistributableGzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
/// Docker manifest list (schema 2).
inline constexpr std::string_view kDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image manifest (schema 2).
inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker image config.
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
/// Docker layer, gzip-compressed tar.
inline constexpr std::string_view kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/// Docker foreign layer (fetched from elsewhere; gzip).
inline constexpr std::string_view kDockerForeignLayerGzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
}  // namespace media_type

/// What a media type names.
enum class MediaKind { kUnknown, kIndex, kManifest, kConfig, kLayer };

/// Classify @p type; kUnknown for anything boxlab does not read.
MediaKind media_kind(std::string_view type);

/// Throw a boxlab::Error unless @p type is of kind @p want: "@p what: media type '...' is not
/// a manifest".
void require_media_kind(std::string_view type, MediaKind want, std::string_view what);

/// The layer media type of the tarball at @p path, from its first bytes: tar+gzip, tar+zstd or
/// plain tar (an archive alone does not say how it is compressed). bzip2 and xz are refused:
/// they are not layer media types (image-spec media-types.md).
std::string sniff_layer_media_type(const std::string& path);

/// The largest manifest, index or config accepted (containerd and the distribution registry
/// use 4 MiB): a bigger one is refused before it is parsed.
inline constexpr uint64_t kMaxJsonBlobSize = 4 << 20;

/// A typed pointer to a blob (image-spec descriptor.md).
struct Descriptor {
  std::string media_type;                          ///< how to read the blob
  Digest digest;                                   ///< sha256 of its bytes
  uint64_t size = 0;                               ///< its length in bytes
  std::map<std::string, std::string> annotations;  ///< e.g. org.opencontainers.image.ref.name
  std::string platform_os;                         ///< in an index: the platform's os (may be empty)
  std::string platform_architecture;               ///< in an index: its architecture (may be empty)
};

}  // namespace boxlab::image
