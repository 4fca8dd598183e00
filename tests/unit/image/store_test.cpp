// The image store: blobs are verified before they appear, index.json names images the way
// skopeo and containerd do, hostile manifests and indexes are refused, and the build's busybox
// OCI layout imports as busybox:latest, every blob verified, and unpacks to its config's diff_id.
#include "boxlab/image/store.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "boxlab/image/unpack.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"
#include "test_support.hpp"

#ifdef BOXLAB_CATCH3
#define SKIP_OR_RETURN SKIP("skopeo is not installed")
#else
#define SKIP_OR_RETURN                    \
  do {                                    \
    WARN("skopeo is not installed");      \
    return;                               \
  } while (0)
#endif

namespace image = boxlab::image;
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

std::set<std::string> entries(const stdfs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : stdfs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

// A valid manifest whose config and layer blobs are in @p store.
image::Descriptor small_image(const image::Store& store, const std::string& layer_media_type =
                                                             std::string(image::media_type::kOciLayer)) {
  auto config = store.put_config(R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})");
  auto layer = store.put_blob_bytes("not really a tar", layer_media_type);
  json manifest{{"schemaVersion", 2},
                {"mediaType", image::media_type::kOciManifest},
                {"config", {{"mediaType", config.media_type}, {"digest", config.digest.str()}, {"size", config.size}}},
                {"layers", {{{"mediaType", layer.media_type}, {"digest", layer.digest.str()}, {"size", layer.size}}}}};
  return store.put_manifest(manifest.dump());
}

}  // namespace

TEST_CASE("a new store is an OCI image layout", "[image][store]") {
  test::TempDir dir;
  image::Store store(dir.path() / "images");
  CHECK(json::parse(test::slurp(dir.path() / "images/oci-layout"))["imageLayoutVersion"] == "1.0.0");
  auto index = json::parse(test::slurp(dir.path() / "images/index.json"));
  CHECK(index["schemaVersion"] == 2);
  CHECK(index["manifests"].empty());
  CHECK(stdfs::is_directory(dir.path() / "images/blobs/sha256"));
  CHECK(store.list().empty());
}

TEST_CASE("blobs appear under their digest only when verified", "[image][store][hostile]") {
  test::TempDir dir;
  image::Store store(dir.path() / "images");
  auto blobs = dir.path() / "images/blobs/sha256";
  auto abc = image::sha256_of("abc");
  std::ofstream(dir.path() / "abc") << "abc";
  auto d = store.put_blob_file(dir.path() / "abc", "application/octet-stream", abc, 3);
  CHECK(d.digest == abc);
  CHECK(d.size == 3);
  CHECK(store.has_blob(abc));
  CHECK(test::slurp(store.blob_path(abc)) == "abc");

  auto other = image::sha256_of("abd");
  CHECK_THROWS_WITH(store.put_blob_file(dir.path() / "abc", "x", other, 3),
                    test::contains("blob " + other.str() + ": digest mismatch: the bytes hash to " + abc.str()));
  CHECK_THROWS_WITH(store.put_blob_file(dir.path() / "abc", "x", other, 10),
                    test::contains("3 bytes, its descriptor says 10 (truncated?)"));
  CHECK_THROWS_WITH(store.put_blob_file(dir.path() / "abc", "x", other, 2), test::contains("more than the 2 bytes"));
  {
    auto writer = store.begin_blob("x", other, 3);
    writer.write("ab");  // dropped before commit: an interrupted download
  }
  CHECK_FALSE(store.has_blob(other));
  CHECK(entries(blobs) == std::set<std::string>{abc.hex});
  CHECK(entries(dir.path() / "images/ingest").empty());
}

TEST_CASE("an interrupted write is swept when the store is next opened, a live one is not", "[image][store]") {
  test::TempDir dir;
  image::Store store(dir.path() / "images");
  std::ofstream(dir.path() / "images/ingest/deadbeef") << "half a blob from a killed pull";
  auto live = store.begin_blob("x", std::nullopt, std::nullopt);
  live.write("still arriving");
  image::Store reopened(dir.path() / "images");
  CHECK(entries(dir.path() / "images/ingest").size() == 1);  // only the live writer's file
  CHECK(live.commit().digest == image::sha256_of("still arriving"));
  CHECK(entries(dir.path() / "images/ingest").empty());
}

TEST_CASE("tag, resolve, list and untag through index.json", "[image][store]") {
  test::TempDir dir;
  image::Store store(dir.path() / "images");
  auto manifest = small_image(store);
  auto ref = image::Reference::parse("busybox");
  store.tag(ref, manifest);
  store.tag(image::Reference::parse("localhost:5000/team/app:v1"), manifest);
  store.tag(ref, manifest);  // retagging replaces, never duplicates

  auto index = json::parse(test::slurp(dir.path() / "images/index.json"));
  REQUIRE(index["manifests"].size() == 2);
  CHECK(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] == "localhost:5000/team/app:v1");
  CHECK(index["manifests"][1]["annotations"]["org.opencontainers.image.ref.name"] == "busybox:latest");
  CHECK(index["manifests"][1]["annotations"]["io.containerd.image.name"] == "docker.io/library/busybox:latest");

  REQUIRE(store.resolve(ref));
  CHECK(store.resolve(ref)->digest == manifest.digest);
  CHECK(store.resolve(image::Reference::parse("busybox@" + manifest.digest.str()))->digest == manifest.digest);
  CHECK_FALSE(store.resolve(image::Reference::parse("busybox:other")));
  auto images = store.list();
  REQUIRE(images.size() == 2);
  CHECK(images[1].name == "docker.io/library/busybox:latest");

  CHECK(store.untag(ref));
  CHECK_FALSE(store.untag(ref));
  CHECK_FALSE(store.resolve(ref));
  CHECK(store.list().size() == 1);
  CHECK(store.has_blob(manifest.digest));

  auto stray = store.put_blob_bytes("nobody points here", "application/octet-stream");
  store.untag(image::Reference::parse("localhost:5000/team/app:v1"));
  store.tag(ref, manifest);
  CHECK(store.remove_unreferenced_blobs() == std::vector<image::Digest>{stray.digest});
  CHECK(store.has_blob(manifest.digest));
  store.untag(ref);
  CHECK(store.remove_unreferenced_blobs().size() == 3);  // manifest, config, layer
  CHECK(entries(dir.path() / "images/blobs/sha256").empty());

  auto missing = manifest;
  missing.digest = image::sha256_of("not stored");
  CHECK_THROWS_WITH(store.tag(ref, missing), test::contains("is not in the store"));
}

TEST_CASE("hostile manifests and indexes are refused", "[image][store][hostile]") {
  test::TempDir dir;
  image::Store store(dir.path() / "images");
  auto before = entries(dir.path() / "images/blobs/sha256");
  CHECK_THROWS_WITH(store.put_manifest("<html>not json</html>"), test::contains("manifest: not a JSON object"));
  CHECK_THROWS_WITH(store.put_manifest("[1,2]"), test::contains("not a JSON object"));
  std::string huge = R"({"mediaType":")" + std::string(image::media_type::kOciManifest) + R"(","pad":")" +
                     std::string(5 << 20, 'x') + "\"}";
  CHECK_THROWS_WITH(store.put_manifest(huge), test::contains("is more than the limit of 4194304"));
  CHECK_THROWS_WITH(store.put_manifest(R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v1+prettyjws"})"),
                    test::contains("media type 'application/vnd.docker.distribution.manifest.v1+prettyjws' is unknown"));
  CHECK_THROWS_WITH(store.put_manifest(R"({"schemaVersion":2,"mediaType":")" + std::string(image::media_type::kOciManifest) +
                                       R"(","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:../../etc","size":1},"layers":[]})"),
                    test::contains("64 hex digits"));
  CHECK(entries(dir.path() / "images/blobs/sha256") == before);
  CHECK_THROWS_WITH(small_image(store, "application/x-evil"),
                    test::contains("layers[]: media type 'application/x-evil' is unknown (expected a layer)"));
  CHECK_THROWS_WITH(store.put_config("not json"), test::contains("image config: not a JSON object"));

  SECTION("a corrupt index.json") {
    std::ofstream(dir.path() / "images/index.json") << "{\"schemaVersion\":2,\"manifests\":[";
    CHECK_THROWS_WITH(store.list(), test::contains("index.json: not a JSON object"));
  }
  SECTION("an oversized index.json") {
    std::ofstream(dir.path() / "images/index.json") << std::string(5 << 20, ' ');
    CHECK_THROWS_WITH(store.list(), test::contains("index.json: 5242880 bytes is more than the limit"));
  }
  SECTION("an index.json with the wrong types") {
    std::ofstream(dir.path() / "images/index.json") << R"({"schemaVersion":"2","manifests":[]})";
    CHECK_THROWS_WITH(store.list(), test::contains("index.json"));
  }
}

TEST_CASE("the build's busybox layout imports as busybox:latest and unpacks to its diff_id", "[image][store][busybox]") {
  stdfs::path layout = stdfs::path(BOXLAB_BUSYBOX_DIR) / "oci";
  REQUIRE(stdfs::exists(layout / "index.json"));
  test::TempDir dir;
  image::Store store(dir.path() / "images");
  auto ref = image::Reference::parse("busybox:latest");
  auto manifest = store.import_layout(layout, "latest", ref);
  CHECK(store.resolve(ref)->digest == manifest.digest);

  auto doc = json::parse(store.read_json_blob(manifest));
  image::Descriptor config{doc["config"]["mediaType"], image::Digest::parse(doc["config"]["digest"].get<std::string>()),
                           doc["config"]["size"], {}, {}, {}};
  auto diff_id = image::Digest::parse(json::parse(store.read_json_blob(config))["rootfs"]["diff_ids"][0].get<std::string>());
  auto layer = image::Digest::parse(doc["layers"][0]["digest"].get<std::string>());
  auto unpacked = image::unpack_layer(store.blob_path(layer), dir.path() / "layers", diff_id);
  CHECK(unpacked.diff_id == diff_id);
  CHECK(stdfs::is_regular_file(unpacked.dir / "bin/busybox"));
  CHECK(stdfs::read_symlink(unpacked.dir / "bin/sh") == "/bin/busybox");

  if (::access("/usr/bin/skopeo", X_OK) == 0) {
    boxlab::sys::SpawnOptions skopeo;
    skopeo.args = {"skopeo", "inspect", "oci:" + store.dir().string() + ":busybox:latest"};
    auto inspected = test::capture(skopeo);
    INFO(inspected.out);
    CHECK(inspected.status.code == 0);
    CHECK(json::parse(inspected.out)["Digest"] == manifest.digest.str());
  }
}

TEST_CASE("an import with a corrupt blob is refused and leaves no blob or tag", "[image][store][hostile]") {
  test::TempDir dir;
  stdfs::copy(stdfs::path(BOXLAB_BUSYBOX_DIR) / "oci", dir.path() / "bad", stdfs::copy_options::recursive);
  auto index = json::parse(test::slurp(dir.path() / "bad/index.json"));
  auto manifest_hex = index["manifests"][0]["digest"].get<std::string>().substr(7);
  auto layer = json::parse(test::slurp(dir.path() / "bad/blobs/sha256" / manifest_hex))["layers"][0]["digest"].get<std::string>();
  stdfs::path layer_blob = dir.path() / "bad/blobs/sha256" / layer.substr(7);
  stdfs::resize_file(layer_blob, stdfs::file_size(layer_blob) - 1);

  image::Store store(dir.path() / "images");
  CHECK_THROWS_WITH(store.import_layout(dir.path() / "bad", "latest", image::Reference::parse("busybox")),
                    test::contains("(truncated?)"));
  CHECK_FALSE(store.has_blob(image::Digest::parse(layer)));
  CHECK(store.list().empty());
  CHECK(entries(dir.path() / "images/ingest").empty());
  CHECK_THROWS_WITH(store.import_layout(dir.path() / "bad", "nope", image::Reference::parse("busybox")),
                    test::contains("no image named 'nope'"));
}

TEST_CASE("a layout written by skopeo imports, and skopeo copies out of the store", "[image][store][skopeo]") {
  if (::access("/usr/bin/skopeo", X_OK) != 0) SKIP_OR_RETURN;
  test::TempDir dir;
  auto skopeo = [](std::vector<std::string> args) {
    boxlab::sys::SpawnOptions options;
    options.args = {"skopeo"};
    options.args.insert(options.args.end(), args.begin(), args.end());
    auto result = test::capture(options);
    INFO(result.out);
    REQUIRE(result.status.code == 0);
  };
  std::string source = "oci:" + (stdfs::path(BOXLAB_BUSYBOX_DIR) / "oci").string() + ":latest";
  skopeo({"copy", "--quiet", source, "oci:" + (dir.path() / "by-skopeo").string() + ":box:1.0"});
  image::Store store(dir.path() / "images");
  auto ref = image::Reference::parse("localhost/box:1.0");
  auto manifest = store.import_layout(dir.path() / "by-skopeo", "box:1.0", ref);
  CHECK(store.resolve(ref)->digest == manifest.digest);
  skopeo({"copy", "--quiet", "oci:" + store.dir().string() + ":localhost/box:1.0", "oci:" + (dir.path() / "out").string() + ":x"});
  CHECK(stdfs::exists(dir.path() / "out/index.json"));
}
