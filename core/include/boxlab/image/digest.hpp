/**
 * @file digest.hpp
 * @brief Content digests ("sha256:<64 hex>"), computed while data streams.
 *
 * Everything in an OCI image is addressed by the sha256 of its bytes (image-spec
 * descriptor.md, "Digests"): a blob is trusted only once the bytes received hash to the digest
 * that named them.
 */
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace boxlab::image {

/// A parsed digest: algorithm and lowercase hex. Only sha256 is accepted.
struct Digest {
  std::string algorithm = "sha256";  ///< the algorithm (always sha256 here)
  std::string hex;                   ///< 64 lowercase hex digits

  /// Parse "sha256:<64 hex>"; throws a boxlab::Error saying what is wrong.
  static Digest parse(std::string_view text);
  /// "sha256:<hex>".
  std::string str() const { return algorithm + ":" + hex; }
  /// Equal digests name the same bytes.
  bool operator==(const Digest&) const = default;
};

/// A running sha256 (OpenSSL's EVP interface): feed it bytes as they arrive.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;             ///< move the running state
  Sha256& operator=(Sha256&&) noexcept;  ///< move the running state
  /// Hash @p data after what was fed before.
  void update(std::string_view data);
  /// The digest of everything fed so far (the hasher cannot be fed afterwards).
  Digest finish();
  /// Bytes fed so far.
  uint64_t size() const { return size_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  uint64_t size_ = 0;
};

/// The digest of @p data.
Digest sha256_of(std::string_view data);
/// The digest of the file at @p path, read in chunks.
Digest sha256_of_file(const std::string& path);

}  // namespace boxlab::image
