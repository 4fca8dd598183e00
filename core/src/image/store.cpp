// The image store: an OCI image layout (image-spec image-layout.md) on disk.
//
//   DIR/oci-layout           {"imageLayoutVersion":"1.0.0"}
//   DIR/index.json           the tagged images: one manifest descriptor per name
//   DIR/blobs/sha256/<hex>   every manifest, config and layer, named by its digest
//   DIR/ingest/              blobs being written (not part of the spec; tools ignore it)
//
// Using the standard layout instead of a private one means skopeo, umoci and crane can read and
// write the store, and the lesson can show each file with cat and jq. Two rules keep it sound:
//   - A blob appears under its digest only when its bytes hash to it: it is written to
//     ingest/<random>, hashed while written, checked against the expected digest and size, fsynced
//     and renamed (rename(2) is atomic within a file system). A crash leaves only ingest files,
//     removed when the store is next opened (unless a live writer still holds their flock). A too-long blob is refused as soon as it overflows.
//   - index.json is never edited in place: it is rewritten to a temporary file, fsynced and
//     renamed, under flock(2) on the layout directory, so two concurrent tags cannot lose each other.
// JSON documents are refused above 4 MiB before parsing, as containerd and the distribution
// registry do, and every media type must be one boxlab knows (media_types.hpp).
//
// Names in index.json: skopeo and umoci find "oci:DIR:NAME" by org.opencontainers.image.ref.name,
// so boxlab writes the familiar reference there ("busybox:latest"), and the full reference in
// containerd's io.containerd.image.name ("docker.io/library/busybox:latest").
//
// Interface: Store::{blob_path,has_blob,begin_blob,BlobWriter::write,BlobWriter::commit,
//   put_blob_file,put_blob_bytes,read_json_blob,parse_manifest,read_manifest,put_manifest,put_config,tag,untag,resolve,list,
//   remove_unreferenced_blobs,import_layout}
#include "boxlab/image/store.hpp"

#include <fcntl.h>

#include <nlohmann/json.hpp>
#include <set>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::image {

namespace {

namespace stdfs = std::filesystem;
using nlohmann::json;

std::string random_name() {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : sys::getrandom(8)) out += {kHex[c >> 4], kHex[c & 15]};
  return out;
}

json parse_json(std::string_view text, const std::string& what) {
  if (text.size() > kMaxJsonBlobSize)
    throw Error(what + ": " + std::to_string(text.size()) + " bytes is more than the limit of " +
                std::to_string(kMaxJsonBlobSize));
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw Error(what + ": not a JSON object");
  return doc;
}

std::string read_capped(const stdfs::path& file, const std::string& what) {
  struct stat st = sys::stat(file);
  if (static_cast<uint64_t>(st.st_size) > kMaxJsonBlobSize)
    throw Error(what + ": " + std::to_string(st.st_size) + " bytes is more than the limit of " +
                std::to_string(kMaxJsonBlobSize));
  return sys::read_file(file);
}

Descriptor parse_descriptor(const json& j, const std::string& what) {
  if (!j.is_object() || !j.contains("mediaType") || !j["mediaType"].is_string() || !j.contains("digest") ||
      !j["digest"].is_string() || !j.contains("size") || !j["size"].is_number_unsigned())
    throw Error(what + ": a descriptor needs mediaType, digest and size");
  Descriptor d;
  d.media_type = j["mediaType"].get<std::string>();
  d.digest = with_context(what, [&] { return Digest::parse(j["digest"].get<std::string>()); });
  d.size = j["size"].get<uint64_t>();
  if (j.contains("annotations") && j["annotations"].is_object())
    for (const auto& [key, value] : j["annotations"].items())
      if (value.is_string()) d.annotations[key] = value.get<std::string>();
  if (j.contains("platform") && j["platform"].is_object()) {
    d.platform_os = j["platform"].value("os", "");
    d.platform_architecture = j["platform"].value("architecture", "");
  }
  return d;
}

json to_json(const Descriptor& d) {
  json j{{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
  if (!d.platform_os.empty()) j["platform"] = {{"architecture", d.platform_architecture}, {"os", d.platform_os}};
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  return j;
}

std::vector<Descriptor> parse_index_file(const stdfs::path& file) {
  return Store::parse_index(read_capped(file, file.string()), file.string());
}

}  // namespace

std::vector<Descriptor> Store::parse_index(std::string_view text, const std::string& what) {
  try {
    json doc = parse_json(text, what);
    if (!doc.contains("schemaVersion") || doc["schemaVersion"] != 2) throw Error(what + ": schemaVersion must be 2");
    if (!doc.contains("manifests") || !doc["manifests"].is_array()) throw Error(what + ": no manifests array");
    std::vector<Descriptor> out;
    for (const auto& m : doc["manifests"]) out.push_back(parse_descriptor(m, what));
    return out;
  } catch (const json::exception& e) {
    throw Error(what + ": " + e.what());
  }
}

namespace {

std::string name_of(const Descriptor& d) {
  for (auto key : {kImageNameAnnotation, kRefNameAnnotation})
    if (auto it = d.annotations.find(std::string(key)); it != d.annotations.end()) return it->second;
  return {};
}

bool names(const Descriptor& d, const Reference& ref) {
  auto full = d.annotations.find(std::string(kImageNameAnnotation));
  if (full != d.annotations.end()) return full->second == ref.str();
  auto short_name = d.annotations.find(std::string(kRefNameAnnotation));
  return short_name != d.annotations.end() && (short_name->second == ref.familiar() || short_name->second == ref.str());
}

}  // namespace

Store::Store(stdfs::path dir) : dir_(std::move(dir)) {
  with_context("open image store " + dir_.string(), [&] {
    sys::mkdir_all(dir_ / "blobs" / "sha256", 0755);
    sys::mkdir(dir_ / "ingest", 0700, true);
    sweep_ingest();
    if (!sys::exists(dir_ / "oci-layout")) sys::write_file_atomically(dir_ / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    if (!sys::exists(dir_ / "index.json")) write_index({});
  });
}

// Remove blobs an interrupted write left in ingest/. A BlobWriter holds flock(2) on its file
// while it writes, so a file whose lock can be taken belongs to nobody (its writer died).
void Store::sweep_ingest() const {
  for (const auto& entry : stdfs::directory_iterator(dir_ / "ingest")) {
    sys::UniqueFd fd = sys::open(entry.path(), O_RDONLY | O_NOFOLLOW);
    if (sys::try_lock_exclusive(fd.get())) sys::unlink(entry.path());
  }
}

// Replace DIR/@p name with @p data: temporary file, fsync, rename, fsync the directory.
stdfs::path Store::blob_path(const Digest& digest) const { return dir_ / "blobs" / digest.algorithm / digest.hex; }

bool Store::has_blob(const Digest& digest) const { return sys::exists(blob_path(digest)); }

Store::BlobWriter::BlobWriter(const Store& store, std::string media_type, std::optional<Digest> digest,
                              std::optional<uint64_t> size)
    : store_(&store), media_type_(std::move(media_type)), expected_digest_(std::move(digest)), expected_size_(size),
      temp_(store.dir_ / "ingest" / random_name()),
      fd_(sys::open(temp_, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644)) {
  sys::lock_exclusive(fd_.get());  // tells sweep_ingest this file is being written
}

Store::BlobWriter::BlobWriter(BlobWriter&& other) noexcept
    : store_(other.store_), media_type_(std::move(other.media_type_)),
      expected_digest_(std::move(other.expected_digest_)), expected_size_(other.expected_size_),
      temp_(std::exchange(other.temp_, {})), fd_(std::move(other.fd_)), hasher_(std::move(other.hasher_)) {}

Store::BlobWriter::~BlobWriter() {
  if (temp_.empty()) return;
  std::error_code ignored;
  stdfs::remove(temp_, ignored);
}

void Store::BlobWriter::write(std::string_view data) {
  if (expected_size_ && hasher_.size() + data.size() > *expected_size_)
    throw Error("blob " + (expected_digest_ ? expected_digest_->str() : std::string("?")) + ": more than the " +
                std::to_string(*expected_size_) + " bytes its descriptor says");
  hasher_.update(data);
  sys::write_all(fd_.get(), data);
}

Descriptor Store::BlobWriter::commit() {
  std::string what = "blob " + (expected_digest_ ? expected_digest_->str() : std::string("(new)"));
  uint64_t size = hasher_.size();
  Digest digest = hasher_.finish();
  // LAB 06 BEGIN: refuse a blob whose size or digest differs from what its descriptor says; only then fsync it and rename it into blobs/sha256/<hex>
  if (expected_size_ && size != *expected_size_)
    throw Error(what + ": " + std::to_string(size) + " bytes, its descriptor says " + std::to_string(*expected_size_) +
                " (truncated?)");
  if (expected_digest_ && digest != *expected_digest_) throw Error(what + ": digest mismatch: the bytes hash to " + digest.str());
  sys::fsync(fd_.get());
  fd_.reset();
  sys::rename(temp_, store_->blob_path(digest));
  // LAB 06 END
  temp_.clear();
  return {media_type_, digest, size, {}, {}, {}};
}

Store::BlobWriter Store::begin_blob(std::string media_type, std::optional<Digest> digest,
                                    std::optional<uint64_t> size) const {
  return BlobWriter(*this, std::move(media_type), std::move(digest), size);
}

Descriptor Store::put_blob_file(const stdfs::path& source, std::string media_type, std::optional<Digest> digest,
                                std::optional<uint64_t> size) const {
  return with_context("store " + source.string(), [&] {
    BlobWriter writer = begin_blob(std::move(media_type), std::move(digest), size);
    sys::UniqueFd in = sys::open(source, O_RDONLY);
    std::string buffer(1 << 16, '\0');
    while (size_t n = sys::read(in.get(), buffer.data(), buffer.size())) writer.write({buffer.data(), n});
    return writer.commit();
  });
}

Descriptor Store::put_blob_bytes(std::string_view data, std::string media_type, std::optional<Digest> digest) const {
  BlobWriter writer = begin_blob(std::move(media_type), std::move(digest), std::nullopt);
  writer.write(data);
  return writer.commit();
}

std::string Store::read_json_blob(const Descriptor& d) const {
  std::string what = "blob " + d.digest.str();
  if (d.size > kMaxJsonBlobSize)
    throw Error(what + ": " + std::to_string(d.size) + " bytes is more than the limit of " + std::to_string(kMaxJsonBlobSize));
  std::string text = read_capped(blob_path(d.digest), what);
  if (text.size() != d.size || sha256_of(text) != d.digest) throw Error(what + ": the stored bytes do not match it");
  return text;
}

void Store::check_manifest(std::string_view text, const std::string& media_type, const std::string& what) {
  try {
    check_manifest_document(text, media_type, what);
  } catch (const json::exception& e) {
    throw Error(what + ": " + e.what());
  }
}

void Store::check_manifest_document(std::string_view text, const std::string& media_type, const std::string& what) {
  json doc = parse_json(text, what);
  std::string declared = doc.contains("mediaType") && doc["mediaType"].is_string() ? doc["mediaType"].get<std::string>() : "";
  if (!declared.empty() && declared != media_type)
    throw Error(what + ": says mediaType '" + declared + "', its descriptor says '" + media_type + "'");
  MediaKind kind = media_kind(media_type);
  if (kind == MediaKind::kIndex) {
    if (!doc.contains("manifests") || !doc["manifests"].is_array()) throw Error(what + ": an index needs a manifests array");
    for (const auto& m : doc["manifests"])
      require_media_kind(parse_descriptor(m, what).media_type, MediaKind::kManifest, what + ": manifests[]");
    return;
  }
  require_media_kind(media_type, MediaKind::kManifest, what);
  if (!doc.contains("config")) throw Error(what + ": a manifest needs a config");
  require_media_kind(parse_descriptor(doc["config"], what).media_type, MediaKind::kConfig, what + ": config");
  if (!doc.contains("layers") || !doc["layers"].is_array()) throw Error(what + ": a manifest needs a layers array");
  for (const auto& layer : doc["layers"])
    require_media_kind(parse_descriptor(layer, what).media_type, MediaKind::kLayer, what + ": layers[]");
}

ManifestParts Store::parse_manifest(std::string_view text, const std::string& media_type, const std::string& what) {
  require_media_kind(media_type, MediaKind::kManifest, what);
  check_manifest(text, media_type, what);
  json doc = json::parse(text);
  ManifestParts parts{parse_descriptor(doc["config"], what), {}};
  for (const auto& layer : doc["layers"]) parts.layers.push_back(parse_descriptor(layer, what));
  return parts;
}

ManifestParts Store::read_manifest(const Descriptor& manifest) const {
  return parse_manifest(read_json_blob(manifest), manifest.media_type, "manifest " + manifest.digest.str());
}

Descriptor Store::put_manifest(std::string_view text) const {
  json doc = parse_json(text, "manifest");
  if (!doc.contains("mediaType") || !doc["mediaType"].is_string()) throw Error("manifest: no mediaType");
  std::string media_type = doc["mediaType"].get<std::string>();
  check_manifest(text, media_type, "manifest");
  return put_blob_bytes(text, media_type);
}

Descriptor Store::put_config(std::string_view text) const {
  parse_json(text, "image config");
  return put_blob_bytes(text, std::string(media_type::kOciConfig));
}

sys::UniqueFd Store::lock() const {
  sys::UniqueFd fd = sys::open(dir_, O_RDONLY | O_DIRECTORY);
  sys::lock_exclusive(fd.get());
  return fd;
}

std::vector<Descriptor> Store::read_index() const { return parse_index_file(dir_ / "index.json"); }

void Store::write_index(const std::vector<Descriptor>& manifests) const {
  json doc{{"schemaVersion", 2}, {"mediaType", media_type::kOciIndex}, {"manifests", json::array()}};
  for (const auto& m : manifests) doc["manifests"].push_back(to_json(m));
  sys::write_file_atomically(dir_ / "index.json", doc.dump());
}

void Store::tag(const Reference& ref, const Descriptor& manifest) const {
  with_context("tag " + ref.familiar(), [&] {
    if (!has_blob(manifest.digest)) throw Error("manifest " + manifest.digest.str() + " is not in the store");
    if (media_kind(manifest.media_type) != MediaKind::kIndex)
      require_media_kind(manifest.media_type, MediaKind::kManifest, "manifest " + manifest.digest.str());
    sys::UniqueFd held = lock();
    std::vector<Descriptor> manifests = read_index();
    std::erase_if(manifests, [&](const Descriptor& d) { return names(d, ref); });
    Descriptor entry = manifest;
    entry.annotations[std::string(kRefNameAnnotation)] = ref.familiar();
    entry.annotations[std::string(kImageNameAnnotation)] = ref.str();
    manifests.push_back(entry);
    write_index(manifests);
  });
}

bool Store::untag(const Reference& ref) const {
  sys::UniqueFd held = lock();
  std::vector<Descriptor> manifests = read_index();
  size_t removed = std::erase_if(manifests, [&](const Descriptor& d) { return names(d, ref); });
  if (removed) write_index(manifests);
  return removed > 0;
}

std::optional<Descriptor> Store::resolve(const Reference& ref) const {
  std::vector<Descriptor> manifests = read_index();
  for (const auto& d : manifests)
    if ((!ref.tag().empty() || !ref.digest()) && names(d, ref) && (!ref.digest() || d.digest == *ref.digest())) return d;
  if (ref.digest())
    for (const auto& d : manifests)
      if (d.digest == *ref.digest()) return d;
  return std::nullopt;
}

std::vector<StoredImage> Store::list() const {
  std::vector<StoredImage> out;
  for (auto& d : read_index()) out.push_back({name_of(d), d});
  return out;
}

void Store::collect_referenced(const Descriptor& d, std::set<std::string>& hexes) const {
  if (!hexes.insert(d.digest.hex).second || !has_blob(d.digest)) return;
  MediaKind kind = media_kind(d.media_type);
  if (kind != MediaKind::kIndex && kind != MediaKind::kManifest) return;
  json doc = parse_json(read_json_blob(d), "manifest " + d.digest.str());
  std::string what = "manifest " + d.digest.str();
  for (const char* key : {"manifests", "layers"})
    if (doc.contains(key) && doc[key].is_array())
      for (const auto& child : doc[key]) collect_referenced(parse_descriptor(child, what), hexes);
  if (doc.contains("config")) collect_referenced(parse_descriptor(doc["config"], what), hexes);
}

std::vector<Digest> Store::remove_unreferenced_blobs(uint64_t* freed_bytes) const {
  return with_context("prune " + dir_.string(), [&] {
    sys::UniqueFd held = lock();
    std::set<std::string> referenced;
    for (const auto& d : read_index()) collect_referenced(d, referenced);
    std::vector<Digest> removed;
    for (const auto& entry : stdfs::directory_iterator(dir_ / "blobs" / "sha256")) {
      std::string hex = entry.path().filename().string();
      if (referenced.count(hex)) continue;
      if (freed_bytes) *freed_bytes += sys::lstat(entry.path()).st_size;
      sys::unlink(entry.path());
      removed.push_back({"sha256", hex});
    }
    return removed;
  });
}

void Store::import_tree(const stdfs::path& layout, const Descriptor& d) const {
  MediaKind kind = media_kind(d.media_type);
  if (kind == MediaKind::kUnknown) throw Error("blob " + d.digest.str() + ": media type '" + d.media_type + "' is unknown");
  stdfs::path source = layout / "blobs" / d.digest.algorithm / d.digest.hex;
  if (!has_blob(d.digest)) put_blob_file(source, d.media_type, d.digest, d.size);
  if (kind != MediaKind::kIndex && kind != MediaKind::kManifest) return;
  std::string text = read_json_blob(d);
  check_manifest(text, d.media_type, "manifest " + d.digest.str());
  json doc = json::parse(text);
  std::string what = "manifest " + d.digest.str();
  if (kind == MediaKind::kIndex) {
    for (const auto& m : doc["manifests"]) import_tree(layout, parse_descriptor(m, what));
    return;
  }
  import_tree(layout, parse_descriptor(doc["config"], what));
  for (const auto& layer : doc["layers"]) import_tree(layout, parse_descriptor(layer, what));
}

Descriptor Store::import_layout(const stdfs::path& layout, const std::string& ref_name, const Reference& as) const {
  return with_context("import " + layout.string() + (ref_name.empty() ? "" : ":" + ref_name), [&] {
    std::vector<Descriptor> manifests = parse_index_file(layout / "index.json");
    std::vector<Descriptor> chosen;
    for (const auto& d : manifests) {
      auto it = d.annotations.find(std::string(kRefNameAnnotation));
      if (ref_name.empty() || (it != d.annotations.end() && it->second == ref_name)) chosen.push_back(d);
    }
    if (chosen.empty()) throw Error("no image named '" + ref_name + "' in its index.json");
    if (chosen.size() > 1) throw Error(std::to_string(chosen.size()) + " images match; name one");
    Descriptor manifest = chosen.front();
    import_tree(layout, manifest);
    manifest.annotations.clear();
    tag(as, manifest);
    return manifest;
  });
}

}  // namespace boxlab::image
