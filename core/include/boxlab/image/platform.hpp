/**
 * @file platform.hpp
 * @brief Platforms ("linux/amd64", "linux/arm64/v8") and the choice of one manifest from a
 *        Docker manifest list or an OCI image index.
 *
 * A multi-platform image is an index whose entries each carry a platform; a pull chooses the
 * entry for the platform asked for (linux/amd64 unless --platform says otherwise), as
 * `docker pull --platform` does.
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "boxlab/image/media_types.hpp"

namespace boxlab::image {

// The manifest media types, defined once in media_types.hpp, under the names this API used.
using media_type::kDockerManifest;
using media_type::kDockerManifestList;
using media_type::kOciIndex;
using media_type::kOciManifest;

/// True for the two index media types (a Docker manifest list or an OCI index).
bool is_index_media_type(std::string_view media_type);
/// True for the two image manifest media types (Docker schema2 or OCI).
bool is_manifest_media_type(std::string_view media_type);

/// An operating system, architecture and optional variant, normalized as containerd does
/// (x86_64 -> amd64, aarch64 -> arm64, arm64's variant v8 implied, arm's v7 implied).
struct Platform {
  std::string os = "linux";            ///< "linux"
  std::string architecture = "amd64";  ///< "amd64", "arm64", "arm", "386", "s390x", ...
  std::string variant;                 ///< "v8", "v7", or empty

  /// Parse "os/arch" or "os/arch/variant"; throws a boxlab::Error on anything else.
  static Platform parse(std::string_view text);
  /// "os/arch" or "os/arch/variant".
  std::string str() const;
  /// True when an index entry for @p candidate can run here: same os and architecture, and the
  /// same variant when this platform names one (arm64 and arm64/v8 are the same).
  bool matches(const Platform& candidate) const;
};

/// linux/amd64, the default of a pull.
Platform default_platform();

/// The index entry a platform choice selected.
struct ManifestChoice {
  std::string media_type;  ///< the entry's mediaType (an image manifest)
  std::string digest;      ///< "sha256:…", validated
  uint64_t size = 0;       ///< the manifest's size in bytes
  Platform platform;       ///< the entry's platform
};

/**
 * @brief Choose the manifest for @p wanted from the index or manifest list @p index_json.
 *
 * An exact variant match is preferred over an entry without one. Throws a boxlab::Error when
 * the JSON is not an index, or "no manifest for linux/s390x; the image has: linux/amd64,
 * linux/arm64/v8" when no entry matches.
 */
ManifestChoice choose_manifest(std::string_view index_json, const Platform& wanted = default_platform());

}  // namespace boxlab::image
