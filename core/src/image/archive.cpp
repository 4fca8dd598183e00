// save and load: images as one tar file.
//
// `save` writes the blobs of the images as an OCI image layout inside a tar, plus Docker's
// manifest.json, exactly the shape `docker save` produces since Docker 25:
//
//   oci-layout  index.json  manifest.json  blobs/sha256/<hex>…
//
// `load` reads such a tar (or an older docker-save tar, where each layer is <id>/layer.tar and
// the config <id>.json) as a stream, without extracting it to disk: every file that can be a
// blob goes straight into Store::BlobWriter, which hashes it as it is written. A file named
// blobs/sha256/<hex> must hash to <hex>; a file of an older archive is named by what it hashes
// to. Only then are the names of index.json (or manifest.json) written, so a truncated or
// tampered archive loads nothing. Symlinks and hardlinks in the archive are only ever aliases
// between its own files (older Docker versions link a repeated layer to its first copy); they
// are resolved by name, never on the file system.
//
// Interface: save_images, load_images
#include "boxlab/image/archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "boxlab/image/image.hpp"
#include "boxlab/image/platform.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::image {

namespace {

namespace stdfs = std::filesystem;
using nlohmann::json;

// ---- save -------------------------------------------------------------------------------

using WritePtr = std::unique_ptr<archive, decltype(&archive_write_free)>;

void check_write(archive* a, int status, const std::string& what) {
  if (status < ARCHIVE_WARN) throw Error("save: " + what + ": " + archive_error_string(a));
}

void write_header(archive* a, const std::string& name, mode_t type, int64_t size) {
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(), archive_entry_free);
  archive_entry_set_pathname(entry.get(), name.c_str());
  archive_entry_set_filetype(entry.get(), type);
  archive_entry_set_perm(entry.get(), type == AE_IFDIR ? 0755 : 0644);
  archive_entry_set_size(entry.get(), size);
  archive_entry_set_mtime(entry.get(), 0, 0);  // reproducible: the same images give the same tar
  check_write(a, archive_write_header(a, entry.get()), name);
}

void write_bytes(archive* a, const std::string& name, std::string_view bytes) {
  write_header(a, name, AE_IFREG, static_cast<int64_t>(bytes.size()));
  if (!bytes.empty() && archive_write_data(a, bytes.data(), bytes.size()) < 0) check_write(a, ARCHIVE_FATAL, name);
}

void write_blob(archive* a, const Store& store, const Descriptor& blob) {
  std::string name = "blobs/sha256/" + blob.digest.hex;
  struct stat st = sys::stat(store.blob_path(blob.digest));
  write_header(a, name, AE_IFREG, st.st_size);
  sys::UniqueFd in = sys::open(store.blob_path(blob.digest), O_RDONLY | O_CLOEXEC);
  std::string buffer(1 << 16, '\0');
  while (size_t n = sys::read(in.get(), buffer.data(), buffer.size()))
    if (archive_write_data(a, buffer.data(), n) < 0) check_write(a, ARCHIVE_FATAL, name);
}

// The images to save, each with the names it is saved under: the name asked for, or every
// name of the image when it was asked for by id (as docker save does).
std::vector<std::pair<Image, std::vector<std::string>>> images_to_save(const Store& store,
                                                                       const std::vector<std::string>& names) {
  std::vector<std::pair<Image, std::vector<std::string>>> out;
  for (const auto& name : names) {
    Image image = find_image(store, name);
    std::vector<std::string> tags;
    bool by_name = false;
    try {
      Reference ref = Reference::parse(name);
      by_name = !ref.tag().empty() && std::find(image.names.begin(), image.names.end(), ref.str()) != image.names.end();
      if (by_name) tags.push_back(ref.str());
    } catch (const Error&) {
    }
    if (!by_name) tags = image.names;
    auto same = std::find_if(out.begin(), out.end(), [&](const auto& o) { return o.first.id() == image.id(); });
    if (same == out.end()) {
      out.push_back({image, tags});
    } else {
      for (const auto& tag : tags)
        if (std::find(same->second.begin(), same->second.end(), tag) == same->second.end()) same->second.push_back(tag);
    }
  }
  return out;
}

json descriptor_json(const Descriptor& d) { return {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}}; }

// ---- load -------------------------------------------------------------------------------

using ReadPtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

// What a streamed archive held: its JSON documents, and every other file as a stored blob.
struct ArchiveFiles {
  std::optional<std::string> index_json;
  std::optional<std::string> manifest_json;
  std::map<std::string, Descriptor> blobs;   // path in the archive -> the stored blob
  std::map<std::string, std::string> links;  // path -> the path it aliases

  const Descriptor& blob(std::string path, const std::string& what) const {
    for (int hops = 0; hops < 8 && links.count(path); ++hops) path = links.at(path);
    auto it = blobs.find(path);
    if (it == blobs.end()) throw Error(what + ": the archive has no file " + path);
    return it->second;
  }
};

// "./a/../b" -> "b"; refuses absolute names and names that climb out of the archive.
std::string normal_path(const std::string& raw) {
  if (raw.empty() || raw.front() == '/') throw Error("archive entry '" + raw + "': absolute names are refused");
  stdfs::path normal = stdfs::path(raw).lexically_normal();
  std::string text = normal.generic_string();
  if (text.starts_with("..")) throw Error("archive entry '" + raw + "': it points outside the archive");
  while (!text.empty() && text.back() == '/') text.pop_back();
  return text == "." ? std::string() : text;
}

bool is_blob_path(const std::string& path, std::string& hex) {
  if (!path.starts_with("blobs/sha256/")) return false;
  hex = path.substr(13);
  return hex.size() == 64 && hex.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// A blob of an OCI layout, or a layer (.tar) or config (.json) of an older docker-save archive.
bool might_be_blob(const std::string& path) {
  std::string hex;
  return is_blob_path(path, hex) || path.ends_with(".tar") || (path.ends_with(".json") && !path.ends_with("/json"));
}

std::string read_small(archive* a, archive_entry* entry, const std::string& path) {
  if (archive_entry_size(entry) > static_cast<int64_t>(kMaxJsonBlobSize))
    throw Error(path + ": more than " + std::to_string(kMaxJsonBlobSize) + " bytes");
  std::string text(static_cast<size_t>(archive_entry_size(entry)), '\0');
  if (!text.empty() && archive_read_data(a, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw Error(path + ": " + (archive_error_string(a) ? archive_error_string(a) : "truncated"));
  return text;
}

Descriptor store_entry(archive* a, archive_entry* entry, const Store& store, const std::string& path) {
  std::string hex;
  std::optional<Digest> digest;
  if (is_blob_path(path, hex)) digest = Digest{"sha256", hex};
  return with_context(path, [&] {
    Store::BlobWriter writer =
        store.begin_blob("application/octet-stream", digest, static_cast<uint64_t>(archive_entry_size(entry)));
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    for (int r; (r = archive_read_data_block(a, &block, &size, &offset)) != ARCHIVE_EOF;) {
      if (r < ARCHIVE_WARN) throw Error(archive_error_string(a) ? archive_error_string(a) : "read error");
      writer.write({static_cast<const char*>(block), size});
    }
    return writer.commit();
  });
}

ArchiveFiles read_archive(const Store& store, const stdfs::path& input) {
  ArchiveFiles files;
  ReadPtr a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), input.c_str(), 1 << 16) != ARCHIVE_OK)
    throw Error(input.string() + ": " + archive_error_string(a.get()));
  archive_entry* entry = nullptr;
  for (int r; (r = archive_read_next_header(a.get(), &entry)) != ARCHIVE_EOF;) {
    if (r < ARCHIVE_WARN) throw Error(input.string() + ": " + archive_error_string(a.get()));
    std::string path = normal_path(archive_entry_pathname(entry));
    if (const char* target = archive_entry_hardlink(entry)) {
      files.links[path] = normal_path(target);
    } else if (archive_entry_filetype(entry) == AE_IFLNK) {
      files.links[path] = normal_path((stdfs::path(path).parent_path() / archive_entry_symlink(entry)).generic_string());
    } else if (archive_entry_filetype(entry) != AE_IFREG) {
      continue;  // directories; devices and fifos have no place in an image archive and are skipped
    } else if (path == "index.json") {
      files.index_json = read_small(a.get(), entry, path);
    } else if (path == "manifest.json") {
      files.manifest_json = read_small(a.get(), entry, path);
    } else if (!might_be_blob(path)) {
      continue;  // oci-layout, repositories, and an older archive's <id>/json and <id>/VERSION
    } else {
      files.blobs[path] = store_entry(a.get(), entry, store, path);
    }
  }
  return files;
}

// The name an index.json entry gives its image: containerd's full name, else a ref.name that
// is a whole reference ("busybox:latest"; a bare "latest" names nothing).
std::optional<Reference> entry_name(const Descriptor& d) {
  for (auto key : {kImageNameAnnotation, kRefNameAnnotation}) {
    auto it = d.annotations.find(std::string(key));
    if (it == d.annotations.end()) continue;
    if (key == kRefNameAnnotation && it->second.find_first_of(":/@") == std::string::npos) continue;
    return with_context("the archive's name '" + it->second + "'", [&] { return Reference::parse(it->second); });
  }
  return std::nullopt;
}

std::vector<std::pair<Reference, Descriptor>> oci_images(const Store& store, const std::string& index_json) {
  std::vector<std::pair<Reference, Descriptor>> out;
  for (Descriptor d : Store::parse_index(index_json, "index.json")) {
    std::optional<Reference> name = entry_name(d);
    if (!name) continue;
    d.annotations.clear();
    if (media_kind(d.media_type) == MediaKind::kIndex) {  // a multi-platform image: keep ours
      ManifestChoice choice = choose_manifest(store.read_json_blob(d));
      d = Descriptor{choice.media_type, Digest::parse(choice.digest), choice.size, {}, {}, {}};
    }
    out.push_back({*name, d});
  }
  return out;
}

std::vector<std::pair<Reference, Descriptor>> docker_images(const Store& store, const ArchiveFiles& files) {
  json doc = json::parse(*files.manifest_json, nullptr, false);
  if (!doc.is_array()) throw Error("manifest.json: not a JSON array");
  std::vector<std::pair<Reference, Descriptor>> out;
  for (const auto& entry : doc) {
    if (!entry.is_object() || !entry.contains("Config") || !entry["Config"].is_string() || !entry.contains("Layers") ||
        !entry["Layers"].is_array())
      throw Error("manifest.json: each entry needs Config and Layers");
    Descriptor config = files.blob(entry["Config"].get<std::string>(), "manifest.json");
    json manifest{{"schemaVersion", 2}, {"mediaType", media_type::kOciManifest}, {"layers", json::array()}};
    config.media_type = media_type::kOciConfig;
    manifest["config"] = descriptor_json(config);
    for (const auto& layer : entry["Layers"]) {
      if (!layer.is_string()) throw Error("manifest.json: Layers must be file names");
      Descriptor blob = files.blob(layer.get<std::string>(), "manifest.json");
      blob.media_type = sniff_layer_media_type(store.blob_path(blob.digest));
      manifest["layers"].push_back(descriptor_json(blob));
    }
    Descriptor stored = store.put_manifest(manifest.dump());
    if (entry.contains("RepoTags") && entry["RepoTags"].is_array())
      for (const auto& tag : entry["RepoTags"])
        if (tag.is_string()) out.push_back({Reference::parse(tag.get<std::string>()), stored});
  }
  return out;
}

std::vector<std::pair<Reference, Descriptor>> directory_images(const Store& store, const stdfs::path& dir) {
  std::vector<std::pair<Reference, Descriptor>> out;
  for (const auto& d : Store::parse_index(sys::read_file(dir / "index.json"), (dir / "index.json").string())) {
    std::optional<Reference> name = entry_name(d);
    if (!name) continue;
    auto ref_name = d.annotations.find(std::string(kRefNameAnnotation));
    store.import_layout(dir, ref_name == d.annotations.end() ? "" : ref_name->second, *name);
    out.push_back({*name, *store.resolve(*name)});
  }
  return out;
}

}  // namespace

void save_images(const Store& store, const std::vector<std::string>& names, int out_fd) {
  with_context("save", [&] {
    auto images = images_to_save(store, names);
    WritePtr a(archive_write_new(), archive_write_free);
    archive_write_set_format_pax_restricted(a.get());
    check_write(a.get(), archive_write_open_fd(a.get(), out_fd), "open");
    write_bytes(a.get(), "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    write_header(a.get(), "blobs/", AE_IFDIR, 0);
    write_header(a.get(), "blobs/sha256/", AE_IFDIR, 0);
    json index{{"schemaVersion", 2}, {"mediaType", media_type::kOciIndex}, {"manifests", json::array()}};
    json docker = json::array();
    std::set<std::string> written;
    for (const auto& [image, tags] : images) {
      std::vector<Descriptor> blobs = image.layers;
      blobs.push_back(image.config);
      blobs.push_back(image.manifest);
      for (const auto& blob : blobs)
        if (written.insert(blob.digest.hex).second) write_blob(a.get(), store, blob);
      json layers = json::array();
      for (const auto& layer : image.layers) layers.push_back("blobs/sha256/" + layer.digest.hex);
      json repo_tags = json::array();
      for (const auto& tag : tags) repo_tags.push_back(Reference::parse(tag).familiar());
      docker.push_back({{"Config", "blobs/sha256/" + image.config.digest.hex}, {"RepoTags", repo_tags}, {"Layers", layers}});
      for (const auto& tag : tags) {
        json entry = descriptor_json(image.manifest);
        entry["annotations"] = {{std::string(kImageNameAnnotation), Reference::parse(tag).str()},
                                {std::string(kRefNameAnnotation), Reference::parse(tag).tag()}};
        index["manifests"].push_back(entry);
      }
      if (tags.empty()) index["manifests"].push_back(descriptor_json(image.manifest));
    }
    write_bytes(a.get(), "index.json", index.dump());
    write_bytes(a.get(), "manifest.json", docker.dump());
    check_write(a.get(), archive_write_close(a.get()), "close");
  });
}

std::vector<std::string> load_images(const Store& store, const LayerStore& layers, const stdfs::path& input) {
  return with_context("load " + input.string(), [&] {
    std::vector<std::pair<Reference, Descriptor>> images;
    std::error_code ec;
    if (stdfs::is_directory(input, ec)) {
      images = directory_images(store, input);
    } else {
      ArchiveFiles files = read_archive(store, input);
      if (files.index_json) {
        images = oci_images(store, *files.index_json);
      } else if (files.manifest_json) {
        images = docker_images(store, files);
      } else {
        throw Error("neither index.json nor manifest.json: not an image archive (docker save or OCI layout)");
      }
    }
    if (images.empty()) throw Error("the archive has no named image");
    std::vector<std::string> loaded;
    for (const auto& [name, manifest] : images) {
      Image image = load_image(store, manifest);  // checks the config before the name appears
      layers.ensure(store, image);
      store.tag(name, manifest);
      loaded.push_back(name.str());
    }
    return loaded;
  });
}

}  // namespace boxlab::image
