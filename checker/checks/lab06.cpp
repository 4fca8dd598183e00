// Lab 06 checks, images: the store is an OCI image layout whose every blob hashes to its name
// and that skopeo reads; layers are unpacked once per diff_id and a container runs on them; push
// and pull round-trip with a real registry (docker-registry on 127.0.0.1); a blob the registry
// serves with the wrong bytes, and a layer that points outside its directory, are refused with
// nothing named and nothing written outside the store; save/load round-trip; rmi frees what no
// name reaches. Each check reads the store's files itself (index.json -> manifest -> config)
// rather than trusting what the lab prints.
#include <fmt/core.h>

#include <filesystem>
#include <fstream>

#include "../src/context.hpp"
#include "../src/diagnose.hpp"
#include "../src/probe_client.hpp"
#include "../src/registry_server.hpp"
#include "boxlab/image/digest.hpp"
#include "boxlab/sys/process.hpp"
#include "boxlab/sys/syscall.hpp"
#include "checks.hpp"
#include "rootfs.hpp"

namespace checker {

namespace {

namespace stdfs = std::filesystem;

constexpr const char* kBusyboxName = "docker.io/library/busybox:latest";

stdfs::path busybox_layout() { return stdfs::path(BOXLAB_BUSYBOX_DIR) / "oci"; }

Json read_json(const stdfs::path& file) {
  Json doc = Json::parse(boxlab::sys::read_file(file), nullptr, false);
  require(!doc.is_discarded(), {file.string() + " to be JSON", "it is not", "write it with a JSON library, atomically"});
  return doc;
}

// What a store says about the image named @p name: its manifest digest, layer digests, diff_ids.
struct StoredImage {
  std::string manifest;
  std::vector<std::string> layers, diff_ids;
};

stdfs::path blob(const stdfs::path& store, const std::string& digest) {
  return store / "blobs/sha256" / digest.substr(digest.find(':') + 1);
}

std::optional<StoredImage> stored_image(const stdfs::path& store, const std::string& name) {
  Json index = read_json(store / "index.json");
  for (const auto& entry : index.value("manifests", Json::array())) {
    Json annotations = entry.value("annotations", Json::object());
    if (annotations.value("io.containerd.image.name", "") != name) continue;
    StoredImage image;
    image.manifest = entry.value("digest", "");
    Json manifest = read_json(blob(store, image.manifest));
    for (const auto& layer : manifest.value("layers", Json::array())) image.layers.push_back(layer.value("digest", ""));
    Json config = read_json(blob(store, manifest["config"].value("digest", "")));
    for (const auto& id : config["rootfs"].value("diff_ids", Json::array())) image.diff_ids.push_back(id.get<std::string>());
    return image;
  }
  return std::nullopt;
}

StoredImage require_image(const stdfs::path& store, const std::string& name) {
  std::optional<StoredImage> image = stored_image(store, name);
  require(image.has_value(), {"index.json of " + store.string() + " to name " + name + " (io.containerd.image.name)",
                              "no such entry: " + read_json(store / "index.json").dump(),
                              "tag the manifest in index.json once its blobs are stored"});
  return *image;
}

int count_names(const stdfs::path& store) {
  if (!stdfs::exists(store / "index.json")) return 0;
  return static_cast<int>(read_json(store / "index.json").value("manifests", Json::array()).size());
}

// Every blob must hash to its name: the store's one invariant.
void require_blobs_verified(const stdfs::path& store) {
  int count = 0;
  for (const auto& entry : stdfs::directory_iterator(store / "blobs/sha256")) {
    std::string hex = entry.path().filename().string();
    std::string got = boxlab::image::sha256_of_file(entry.path()).hex;
    require(got == hex, {"blobs/sha256/" + hex + " to hash to its name", "it hashes to " + got,
                         "write a blob to a temporary name, hash it while writing, rename only when it matches"});
    ++count;
  }
  require(count >= 3, {"at least 3 blobs (manifest, config, layer)", std::to_string(count), "store every blob"});
}

int count_files(const stdfs::path& dir) {
  std::error_code ec;
  int n = 0;
  for (auto it = stdfs::directory_iterator(dir, ec); !ec && it != stdfs::directory_iterator(); it.increment(ec)) ++n;
  return n;
}

int count_layer_dirs(const stdfs::path& layers) {
  std::error_code ec;
  int n = 0;
  for (auto it = stdfs::directory_iterator(layers, ec); !ec && it != stdfs::directory_iterator(); it.increment(ec))
    if (it->is_directory() && it->path().filename().string().size() == 64) ++n;
  return n;
}

void load_busybox(Context& ctx) {
  expect_exit(ctx.run({"load", "-i", busybox_layout().string()}), 0, "load -i " + busybox_layout().string() + " to succeed");
}

stdfs::path store_of(const stdfs::path& root) { return root / "images"; }

void load_store_verified(Context& ctx) {
  load_busybox(ctx);
  stdfs::path store = store_of(ctx.state_root());
  require(stdfs::exists(store / "oci-layout"), {"an OCI image layout at " + store.string() + " (oci-layout file)",
                                                "no oci-layout file", "keep the image store under <root>/images"});
  require_image(store, kBusyboxName);
  require_blobs_verified(store);
  ToolRun skopeo = run_tool(ctx, {"skopeo", "inspect", "oci:" + store.string() + ":busybox:latest"});
  require(skopeo.code == 0, {"skopeo inspect oci:STORE:busybox:latest to read the store", first_line(skopeo.out),
                             "org.opencontainers.image.ref.name must be \"busybox:latest\" in index.json"});
}

void layers_unpacked(Context& ctx) {
  load_busybox(ctx);
  StoredImage image = require_image(store_of(ctx.state_root()), kBusyboxName);
  require(image.diff_ids.size() == 1, {"one diff_id in busybox's config", std::to_string(image.diff_ids.size()), ""});
  stdfs::path layer = ctx.state_root() / "layers" / image.diff_ids[0].substr(7);
  require(stdfs::exists(layer / "bin/busybox"), {"the layer unpacked at " + layer.string() + " (named by its diff_id)",
                                                 "no bin/busybox there", "unpack each layer into layers/<diff_id hex>"});
  stdfs::path probe_layer = ctx.work_dir() / "probe-layer";
  stdfs::create_directories(probe_layer);
  install_probe(ctx.built_probe(), probe_layer);
  Json report = probe_report(ctx.run({"run", "--layer", layer.string(), "--layer", probe_layer.string(), "/probe"}));
  auto root = mount_at(report, "/");
  require(root && root->value("fstype", "") == "overlay",
          {"a container on the unpacked layer to have an overlay /", root ? root->dump() : "no mount at /",
           "lab05's run --layer still works in lab06"});
  expect_exit(ctx.run({"load", "-i", busybox_layout().string()}), 0, "a second load of busybox to succeed");
  require(count_layer_dirs(ctx.state_root() / "layers") == 1,
          {"one layer directory after loading busybox twice (layers are shared by diff_id)",
           std::to_string(count_layer_dirs(ctx.state_root() / "layers")), "reuse layers/<diff_id> when it exists"});
}

// busybox, pushed to the registry as REPO:v1 from the check's root; returns the reference.
std::string push_busybox(Context& ctx, const RegistryServer& registry, const std::string& repo) {
  load_busybox(ctx);
  std::string ref = registry.host() + "/" + repo + ":v1";
  expect_exit(ctx.run({"tag", "busybox", ref}), 0, "tag busybox " + ref);
  expect_exit(ctx.run({"push", ref}), 0, "push " + ref + " to the local registry");
  return ref;
}

void pull_round_trip(Context& ctx) {
  RegistryServer registry(ctx.work_dir() / "registry");
  std::string ref = push_busybox(ctx, registry, "check/busybox");
  ToolRun inspect = run_tool(ctx, {"skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://" + ref});
  require(inspect.code == 0, {"skopeo to find the pushed image in the registry", first_line(inspect.out),
                              "push the layers, the config, then the manifest under the tag"});
  StoredImage pushed = require_image(store_of(ctx.state_root()), ref);
  require(first_line(inspect.out) == pushed.manifest, {"the registry's manifest digest to be the store's " + pushed.manifest,
                                                       first_line(inspect.out), "push the manifest's bytes exactly as stored"});
  stdfs::path fresh = ctx.work_dir() / "fresh";
  LabRun pull = ctx.run({"--root", fresh.string(), "pull", ref});
  expect_exit(pull, 0, "pull " + ref + " into an empty root");
  StoredImage pulled = require_image(store_of(fresh), ref);
  require(pulled.manifest == pushed.manifest, {"the pulled manifest " + pushed.manifest, pulled.manifest,
                                               "store the manifest's bytes as the registry sent them"});
  require_blobs_verified(store_of(fresh));
  require(stdfs::exists(fresh / "layers" / pulled.diff_ids.at(0).substr(7) / "bin/busybox"),
          {"the pulled layer unpacked under layers/<diff_id>", "it is not", "unpack each layer after it is verified"});
}

void tampered_blob_refused(Context& ctx) {
  RegistryServer registry(ctx.work_dir() / "registry");
  std::string ref = push_busybox(ctx, registry, "check/tampered");
  StoredImage pushed = require_image(store_of(ctx.state_root()), ref);
  stdfs::path data = registry.blob_data(pushed.layers.at(0).substr(7));
  uintmax_t size = stdfs::file_size(data);
  std::ofstream(data, std::ios::trunc) << std::string(size, 'x');  // same size, other bytes
  ctx.log("overwrote the registry's copy of " + pushed.layers[0] + " with " + std::to_string(size) + " bytes of 'x'");
  stdfs::path fresh = ctx.work_dir() / "fresh";
  LabRun pull = ctx.run({"--root", fresh.string(), "pull", ref});
  require(pull.code() != 0, {"pull to fail: the layer's bytes do not hash to its digest", describe_run(pull),
                             "hash each blob while it streams and compare with its digest before keeping it"});
  require(count_lines(pull.err) == 1, {"one line on stderr", describe_run(pull), "catch the error once, in main"});
  require(count_names(store_of(fresh)) == 0, {"no name in index.json after a failed pull",
                                              read_json(store_of(fresh) / "index.json").dump(), "write the name last"});
  require(!stdfs::exists(blob(store_of(fresh), pushed.layers[0])),
          {"no blob named " + pushed.layers[0] + " in the store", "it is there", "rename a blob into place only once verified"});
  require(count_files(store_of(fresh) / "ingest") == 0,
          {"no temporary file left in ingest/", std::to_string(count_files(store_of(fresh) / "ingest")) + " files",
           "remove the temporary file when a blob fails"});
}

// A tar of one entry named @p name (ustar, written by hand: no tar tool writes such names).
std::string tar_entry(const std::string& name, char type, const std::string& link, const std::string& body) {
  std::string header(512, '\0');
  auto put = [&](size_t at, const std::string& text) { header.replace(at, text.size(), text); };
  put(0, name);
  put(100, "0000644");
  put(108, "0000000");
  put(116, "0000000");
  put(124, fmt::format("{:011o}", body.size()));
  put(136, "00000000000");
  header[156] = type;
  put(157, link);
  put(257, "ustar");
  put(263, "00");
  put(148, "        ");
  unsigned sum = 0;
  for (unsigned char c : header) sum += c;
  put(148, fmt::format("{:06o}", sum) + std::string(1, '\0') + " ");
  std::string padded = body + std::string((512 - body.size() % 512) % 512, '\0');
  return header + padded;
}

void hostile_layer_refused(Context& ctx) {
  load_busybox(ctx);
  stdfs::path outside = ctx.work_dir() / "outside";
  stdfs::create_directories(outside);
  std::string end(1024, '\0');
  std::vector<std::pair<std::string, std::string>> tars{
      {"traversal", tar_entry("../../outside/escaped", '0', "", "x\n") + end},
      {"symlink", tar_entry("link", '2', outside.string(), "") + tar_entry("link/escaped", '0', "", "x\n") + end},
      {"hardlink", tar_entry("hard", '1', "../../../../../../etc/hostname", "") + end},
  };
  for (const auto& [kind, bytes] : tars) {
    stdfs::path file = ctx.work_dir() / (kind + ".tar");
    std::ofstream(file, std::ios::binary) << bytes;
    LabRun imported = ctx.run({"import", file.string(), "hostile/" + kind + ":1"});
    require(imported.code() != 0, {"import of a layer with a " + kind + " entry to be refused", describe_run(imported),
                                   "resolve every entry (and hardlink target) with openat2(RESOLVE_IN_ROOT)"});
    require(count_files(outside) == 0, {"nothing written outside the layer by the " + kind + " entry",
                                        std::to_string(count_files(outside)) + " file(s) in " + outside.string(),
                                        "openat2(RESOLVE_IN_ROOT) confines every path to the layer directory"});
    require(!stored_image(store_of(ctx.state_root()), "docker.io/hostile/" + kind + ":1"),
            {"no image named hostile/" + kind + ":1", "it was stored", "name an image only once its layer unpacked"});
  }
}

void save_load_round_trip(Context& ctx) {
  load_busybox(ctx);
  stdfs::path archive = ctx.work_dir() / "busybox.tar";
  expect_exit(ctx.run({"save", "-o", archive.string(), "busybox"}), 0, "save -o FILE busybox");
  ToolRun listing = run_tool(ctx, {"tar", "-tf", archive.string()});
  for (const char* file : {"oci-layout", "index.json", "manifest.json"})
    require(listing.out.find(std::string(file) + "\n") != std::string::npos,
            {std::string(file) + " in the saved archive", listing.out, "write an OCI layout plus docker's manifest.json"});
  stdfs::path fresh = ctx.work_dir() / "fresh";
  expect_exit(ctx.run({"--root", fresh.string(), "load", "-i", archive.string()}), 0, "load -i FILE into an empty root");
  StoredImage saved = require_image(store_of(ctx.state_root()), kBusyboxName);
  StoredImage loaded = require_image(store_of(fresh), kBusyboxName);
  require(loaded.manifest == saved.manifest, {"the loaded image to have the saved manifest " + saved.manifest,
                                              loaded.manifest, "copy the blobs byte for byte"});
  require_blobs_verified(store_of(fresh));
}

void rmi_frees(Context& ctx) {
  load_busybox(ctx);
  stdfs::path store = store_of(ctx.state_root());
  expect_exit(ctx.run({"tag", "busybox", "other:1"}), 0, "tag busybox other:1");
  int blobs = count_files(store / "blobs/sha256");
  LabRun first = ctx.run({"rmi", "busybox"});
  expect_exit(first, 0, "rmi busybox");
  require(first.out.find("Untagged: busybox:latest") != std::string::npos,
          wrong_output(first, "\"Untagged: busybox:latest\"", "print what was untagged, as docker rmi does").cause());
  require(count_files(store / "blobs/sha256") == blobs, {"every blob kept while other:1 still names the image",
                                                        std::to_string(count_files(store / "blobs/sha256")) + " of " +
                                                            std::to_string(blobs), "delete only what no name reaches"});
  expect_exit(ctx.run({"rmi", "other:1"}), 0, "rmi other:1");
  require(count_files(store / "blobs/sha256") == 0,
          {"no blob left once no name reaches them", std::to_string(count_files(store / "blobs/sha256")) + " blobs",
           "walk index.json -> manifests -> config and layers; delete every blob not reached"});
  require(count_layer_dirs(ctx.state_root() / "layers") == 0, {"no unpacked layer left",
                                                              std::to_string(count_layer_dirs(ctx.state_root() / "layers")),
                                                              "remove layers/<diff_id> no image uses"});
}

void unknown_image(Context& ctx) {
  LabRun rmi = ctx.run({"rmi", "nope"});
  require(rmi.code() != 0 && count_lines(rmi.err) == 1 && rmi.err.find("No such image") != std::string::npos,
          {"rmi nope: a non-zero exit and one line \"No such image: nope:latest\"", describe_run(rmi),
           "find_image throws \"No such image: NAME\""});
  LabRun bad = ctx.run({"pull", "Busy/Box"});
  require(bad.code() != 0 && count_lines(bad.err) == 1,
          {"pull Busy/Box (uppercase): a non-zero exit and one line", describe_run(bad),
           "a repository name is lowercase; parse the reference before anything else"});
}

}  // namespace

std::vector<Check> lab06_checks() {
  using std::chrono::milliseconds;
  return {
      {"load_store_verified", 6, "load stores busybox as an OCI layout; every blob hashes to its name; skopeo reads it", 3, "", milliseconds(20000), load_store_verified},
      {"layers_unpacked", 6, "layers are unpacked once per diff_id and a container runs on them", 2, "load_store_verified", milliseconds(20000), layers_unpacked},
      {"pull_round_trip", 6, "push to and pull from a real registry on 127.0.0.1 round-trip, digests intact", 3, "load_store_verified", milliseconds(30000), pull_round_trip},
      {"tampered_blob_refused", 6, "a blob whose bytes do not match its digest fails the pull and leaves nothing", 3, "pull_round_trip", milliseconds(30000), tampered_blob_refused},
      {"hostile_layer_refused", 6, "layers with traversal, symlink and hardlink escapes are refused, nothing outside", 3, "load_store_verified", milliseconds(20000), hostile_layer_refused},
      {"save_load_round_trip", 6, "save writes an OCI layout + manifest.json that load reads back, same digests", 2, "load_store_verified", milliseconds(20000), save_load_round_trip},
      {"rmi_frees", 6, "rmi untags; blobs and layers go when no name reaches them", 2, "load_store_verified", milliseconds(20000), rmi_frees},
      {"unknown_image", 6, "an unknown image or a bad reference: non-zero exit, one line", 1, "", milliseconds(10000), unknown_image},
  };
}

}  // namespace checker
