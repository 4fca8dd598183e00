/**
 * @file reference.hpp
 * @brief Image references ("busybox", "host:5000/team/app:1.0", "repo@sha256:...") parsed as
 *        Docker parses them.
 *
 * The grammar is distribution/reference's (reference.go, normalize.go): an optional registry
 * host, a lowercase path, an optional tag, an optional digest. "busybox" is short for
 * "docker.io/library/busybox:latest".
 */
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "boxlab/image/digest.hpp"

namespace boxlab::image {

/// A parsed, normalized image reference.
class Reference {
 public:
  /// Parse @p text as `docker pull` would; throws a boxlab::Error naming @p text and the rule
  /// it breaks. With neither tag nor digest the tag is "latest".
  static Reference parse(std::string_view text);

  /// The registry host, with its port if any: "docker.io", "localhost:5000".
  const std::string& registry() const { return registry_; }
  /// The repository path in the registry: "library/busybox", "team/app".
  const std::string& repository() const { return repository_; }
  /// The tag ("latest" by default); empty when only a digest was given.
  const std::string& tag() const { return tag_; }
  /// The digest, when one was given.
  const std::optional<Digest>& digest() const { return digest_; }

  /// registry/repository: "docker.io/library/busybox".
  std::string name() const { return registry_ + "/" + repository_; }
  /// The canonical form: "docker.io/library/busybox:latest", "...@sha256:...".
  std::string str() const;
  /// The short form Docker prints: "busybox:latest", "team/app:1.0", "localhost:5000/x:y".
  std::string familiar() const;
  /// This reference with @p tag and no digest.
  Reference with_tag(std::string tag) const;

  /// Same registry, repository, tag and digest.
  bool operator==(const Reference&) const = default;

 private:
  std::string registry_;
  std::string repository_;
  std::string tag_;
  std::optional<Digest> digest_;
};

}  // namespace boxlab::image
