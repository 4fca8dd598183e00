/**
 * @file store.hpp
 * @brief An OCI image layout (image-spec image-layout.md) used as boxlab's image store.
 *
 * The directory holds `oci-layout`, `index.json` and `blobs/sha256/<hex>`, so skopeo and umoci
 * read it (`skopeo inspect oci:DIR:busybox:latest`) and what they write can be imported. Blobs
 * are written to a temporary name, hashed as they are written, and renamed into place only
 * once their digest and size are verified; index.json is replaced atomically under a lock.
 */
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "boxlab/image/digest.hpp"
#include "boxlab/image/media_types.hpp"
#include "boxlab/image/reference.hpp"
#include "boxlab/sys/unique_fd.hpp"

namespace boxlab::image {

/// The annotation skopeo and umoci look up a name in ("oci:DIR:NAME"); boxlab writes the
/// familiar reference there ("busybox:latest").
inline constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";
/// The annotation containerd keeps the full reference in ("docker.io/library/busybox:latest").
inline constexpr std::string_view kImageNameAnnotation = "io.containerd.image.name";

/// One tagged image of the store.
struct StoredImage {
  std::string name;       ///< the full reference (or, for an image tagged by another tool, its ref.name)
  Descriptor manifest;    ///< the descriptor in index.json
};

/// What an image manifest points to.
struct ManifestParts {
  Descriptor config;               ///< the image config
  std::vector<Descriptor> layers;  ///< the layers, base first
};

/// An OCI image layout on disk.
class Store {
 public:
  /// Open the layout at @p dir, creating it (oci-layout, empty index.json, blobs/sha256) if
  /// missing. Temporary blobs left by an interrupted write are removed.
  explicit Store(std::filesystem::path dir);

  /// The layout directory.
  const std::filesystem::path& dir() const { return dir_; }
  /// Where the blob named @p digest is (or would be) stored.
  std::filesystem::path blob_path(const Digest& digest) const;
  /// True if the blob is in the store.
  bool has_blob(const Digest& digest) const;

  /**
   * @brief A blob being written: hashed as it is written to a temporary file, renamed into
   *        blobs/sha256 by commit() only if its digest and size match. Dropped uncommitted, it
   *        leaves nothing behind.
   */
  class BlobWriter {
   public:
    BlobWriter(BlobWriter&&) noexcept;             ///< move the pending blob
    BlobWriter& operator=(BlobWriter&&) = delete;
    ~BlobWriter();
    /// Append @p data; throws if more than the expected size arrives.
    void write(std::string_view data);
    /// Verify and rename into place; returns the blob's descriptor.
    Descriptor commit();

   private:
    friend class Store;
    BlobWriter(const Store& store, std::string media_type, std::optional<Digest> digest, std::optional<uint64_t> size);
    const Store* store_;
    std::string media_type_;
    std::optional<Digest> expected_digest_;
    std::optional<uint64_t> expected_size_;
    std::filesystem::path temp_;
    sys::UniqueFd fd_;
    Sha256 hasher_;
  };

  /// Start writing a blob of @p media_type, expected to have @p digest and @p size if given.
  BlobWriter begin_blob(std::string media_type, std::optional<Digest> digest = std::nullopt,
                        std::optional<uint64_t> size = std::nullopt) const;
  /// Copy the file @p source in as a blob, verified against @p digest and @p size if given.
  Descriptor put_blob_file(const std::filesystem::path& source, std::string media_type,
                           std::optional<Digest> digest = std::nullopt,
                           std::optional<uint64_t> size = std::nullopt) const;
  /// Store @p data as a blob.
  Descriptor put_blob_bytes(std::string_view data, std::string media_type,
                            std::optional<Digest> digest = std::nullopt) const;
  /// Read a JSON blob (manifest, index, config) after checking its size (at most
  /// kMaxJsonBlobSize) and digest against @p descriptor.
  std::string read_json_blob(const Descriptor& descriptor) const;

  /// Parse an image manifest (OCI or Docker schema2, not an index) of @p media_type after the
  /// checks put_manifest makes; @p what names it in errors.
  static ManifestParts parse_manifest(std::string_view json, const std::string& media_type, const std::string& what);
  /// Parse the manifests of an index.json or image index document (at most 4 MiB).
  static std::vector<Descriptor> parse_index(std::string_view json, const std::string& what);
  /// Read the stored image manifest @p manifest (verified against its digest) and parse it.
  ManifestParts read_manifest(const Descriptor& manifest) const;

  /// Store a manifest or index after checking it: JSON, at most 4 MiB, a known mediaType, and
  /// known media types for its config and layers (or child manifests).
  Descriptor put_manifest(std::string_view json) const;
  /// Store an image config after checking it is a JSON object of at most 4 MiB.
  Descriptor put_config(std::string_view json) const;

  /// Point @p reference at @p manifest (whose blob must be stored), replacing any earlier
  /// image of that name. index.json is rewritten atomically under a lock.
  void tag(const Reference& reference, const Descriptor& manifest) const;
  /// Remove @p reference from index.json; false if it was not there. Blobs stay.
  bool untag(const Reference& reference) const;
  /// The manifest descriptor @p reference names, if stored.
  std::optional<Descriptor> resolve(const Reference& reference) const;
  /// Every tagged image, in index.json order.
  std::vector<StoredImage> list() const;

  /// Delete every blob no tagged image reaches (index -> manifests -> config and layers): what
  /// `rmi` and `image prune` free. Run it while no pull is storing blobs it has not tagged yet.
  /// Returns the removed digests, and adds the bytes freed to @p freed_bytes when given.
  std::vector<Digest> remove_unreferenced_blobs(uint64_t* freed_bytes = nullptr) const;

  /**
   * @brief Import the image named @p ref_name (its org.opencontainers.image.ref.name; empty to
   *        take the layout's only image) from the OCI layout at @p layout, as @p as.
   *
   * Every blob (manifest, config, layers; child manifests of an index) is copied in with its
   * digest and size verified.
   */
  Descriptor import_layout(const std::filesystem::path& layout, const std::string& ref_name, const Reference& as) const;

 private:
  void sweep_ingest() const;
  std::vector<Descriptor> read_index() const;
  void write_index(const std::vector<Descriptor>& manifests) const;
  sys::UniqueFd lock() const;
  static void check_manifest(std::string_view json, const std::string& media_type, const std::string& what);
  static void check_manifest_document(std::string_view json, const std::string& media_type, const std::string& what);
  void collect_referenced(const Descriptor& descriptor, std::set<std::string>& hexes) const;
  void import_tree(const std::filesystem::path& layout, const Descriptor& descriptor) const;

  std::filesystem::path dir_;
};

}  // namespace boxlab::image
