/**
 * @file registry.hpp
 * @brief A client of the OCI distribution API (/v2/): manifests and blobs, pulled and pushed.
 *
 * Registry speaks to one host ("registry-1.docker.io", "127.0.0.1:5000"): plain http on the
 * loopback host, https anywhere else. Every request goes through one path that handles a 401:
 * it reads the WWW-Authenticate challenge, gets a Bearer token for the repository's scope (or
 * uses Basic credentials) and retries once, so callers never see the token dance.
 *
 * Nothing unverified is kept: a manifest fetched by digest must hash to it, and a blob is
 * written to a temporary file next to its destination, hashed while it streams, and renamed into
 * place only when its size and digest are right; otherwise the temporary file is removed.
 */
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "boxlab/image/auth.hpp"
#include "boxlab/image/digest.hpp"
#include "boxlab/image/http.hpp"

namespace boxlab::image {

/// A manifest or index as the registry sent it.
struct Manifest {
  std::string media_type;  ///< one of the four kinds in platform.hpp
  std::string bytes;       ///< exactly the bytes received (their sha256 is the digest)
  Digest digest;           ///< sha256 of bytes
};

/// Called while a blob streams: bytes received so far, and the expected total.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;
/// Receives a blob's bytes as they arrive.
using BlobSink = std::function<void(std::string_view chunk)>;

/// How to reach a registry.
struct RegistryOptions {
  std::optional<Credentials> credentials;     ///< Basic credentials, for Basic or for the token realm
  bool plain_http = false;                    ///< use http even off the loopback host (testing only)
  uint64_t max_manifest_size = 4u << 20;      ///< larger manifests are refused (4 MiB)
  long connect_timeout_seconds = 30;          ///< per request
  long stall_timeout_seconds = 60;            ///< abort a transfer that moved nothing this long
};

/**
 * @brief One registry host and the tokens obtained for it.
 *
 * Repository ("library/busybox") and reference (a tag or "sha256:…") are plain strings; they are
 * checked against the distribution spec's grammar so nothing else can reach the URL.
 */
class Registry {
 public:
  /// A client of @p host ("127.0.0.1:5000", "ghcr.io"; "docker.io" means registry-1.docker.io).
  explicit Registry(std::string host, RegistryOptions options = {});

  /// The host requests go to.
  const std::string& host() const { return host_; }
  /// "http://host" or "https://host".
  const std::string& base_url() const { return base_url_; }

  /// GET /v2/: throws unless the registry answers 200 (or 401: it exists and wants auth).
  void ping();

  /// GET /v2/&lt;repository&gt;/manifests/&lt;reference&gt;, accepting OCI and Docker manifests and indexes.
  /// Checks the size cap, the media type and the digest (against @p reference when it is a
  /// digest, and against Docker-Content-Digest when the registry sends one).
  Manifest get_manifest(const std::string& repository, const std::string& reference);

  /// Stream a blob's bytes to @p sink as they arrive, cutting the transfer as soon as more than
  /// @p expected_size bytes come and failing when fewer did. The caller verifies the digest
  /// (Store::BlobWriter does, so a pull hashes each blob once).
  void stream_blob(const std::string& repository, const Digest& digest, uint64_t expected_size,
                   const BlobSink& sink, const ProgressFn& progress = {});

  /// Download a blob to @p destination (written as a temporary file first, renamed when
  /// verified). Throws, leaving nothing at @p destination, on a size or digest mismatch.
  void fetch_blob(const std::string& repository, const Digest& digest, uint64_t expected_size,
                  const std::string& destination, const ProgressFn& progress = {});

  /// HEAD /v2/&lt;repository&gt;/blobs/&lt;digest&gt;: does the registry have it?
  bool blob_exists(const std::string& repository, const Digest& digest);

  /// Upload the file @p source as blob @p digest (monolithic: POST an upload, PUT the bytes),
  /// unless the registry has it already. Returns true when bytes were uploaded.
  bool push_blob(const std::string& repository, const Digest& digest, const std::string& source);

  /// PUT a manifest under @p reference (a tag or its digest) with Content-Type @p media_type.
  /// Returns the digest of @p bytes.
  Digest push_manifest(const std::string& repository, const std::string& reference,
                       const std::string& media_type, const std::string& bytes);

 private:
  // Perform @p request with the authorization cached for @p scope; on a 401, authenticate
  // from the challenge and retry once.
  http::Response send(http::Request request, const std::string& scope);
  void authenticate(const http::Response& refused, const std::string& scope);
  std::string url(const std::string& repository, const std::string& kind, const std::string& reference) const;

  std::string host_;
  std::string base_url_;
  RegistryOptions options_;
  std::map<std::string, std::string> authorization_;  // scope -> "Bearer …" / "Basic …"
};

}  // namespace boxlab::image
