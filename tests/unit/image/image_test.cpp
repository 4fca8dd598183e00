// Images as the image commands see them: the busybox layout imported into a store is found by
// every spelling docker accepts (name, full reference, id, sha256:id, a short id prefix), two
// tags of one manifest are one image, and a config that disagrees with its manifest is refused.
#include "boxlab/image/image.hpp"

#include <nlohmann/json.hpp>

#include "boxlab/sys/error.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace image = boxlab::image;
namespace stdfs = std::filesystem;

namespace {

stdfs::path busybox_layout() { return stdfs::path(BOXLAB_BINARY_DIR) / "busybox" / "oci"; }

// The busybox layout imported as busybox:latest; returns its manifest descriptor.
image::Descriptor import_busybox(const image::Store& store) {
  return store.import_layout(busybox_layout(), "latest", image::Reference::parse("busybox"));
}

nlohmann::json descriptor_json(const image::Descriptor& d) {
  return {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
}

}  // namespace

TEST_CASE("load_image reads the manifest and config of the busybox layout", "[image][images]") {
  test::TempDir dir;
  image::Store store(dir.path() / "store");
  image::Descriptor manifest = import_busybox(store);

  image::Image busybox = image::load_image(store, manifest);
  CHECK(busybox.manifest.digest == manifest.digest);
  CHECK(busybox.id() == busybox.config.digest.str());
  CHECK(busybox.short_id() == busybox.config.digest.hex.substr(0, 12));
  REQUIRE(busybox.layers.size() == 1);
  REQUIRE(busybox.diff_ids.size() == 1);
  CHECK(busybox.download_size() == busybox.layers[0].size);
  CHECK(busybox.os == "linux");
  CHECK(busybox.architecture == "amd64");
  CHECK(busybox.created == "2000-01-01T00:00:00Z");
  CHECK(busybox.container_config.cmd == std::vector<std::string>{"sh"});
  REQUIRE(busybox.container_config.env.size() == 1);
  CHECK(busybox.container_config.env[0].starts_with("PATH="));
  REQUIRE(busybox.history.size() == 1);
  CHECK_FALSE(busybox.history[0].empty_layer);
  auto config = nlohmann::json::parse(busybox.config_json);
  CHECK(config["rootfs"]["diff_ids"][0] == busybox.diff_ids[0].str());
}

TEST_CASE("find_image accepts names, full references, ids and id prefixes", "[image][images]") {
  test::TempDir dir;
  image::Store store(dir.path() / "store");
  image::Descriptor manifest = import_busybox(store);
  const std::string id = image::load_image(store, manifest).id();
  const std::string hex = id.substr(7);

  for (std::string name : {std::string("busybox"), std::string("busybox:latest"),
                           std::string("docker.io/library/busybox:latest"), hex, id, hex.substr(0, 4),
                           hex.substr(0, 12), "sha256:" + hex.substr(0, 6)}) {
    INFO(name);
    image::Image found = image::find_image(store, name);
    CHECK(found.id() == id);
    CHECK(found.manifest.digest == manifest.digest);
    CHECK(found.names == std::vector<std::string>{"docker.io/library/busybox:latest"});
  }

  CHECK_THROWS_WITH(image::find_image(store, "nope"), test::contains("No such image: nope:latest"));
  CHECK_THROWS_WITH(image::find_image(store, "busybox:1"), test::contains("No such image: busybox:1"));
  CHECK_THROWS_WITH(image::find_image(store, hex.substr(0, 3)), test::contains("No such image"));
  CHECK_THROWS_WITH(image::find_image(store, std::string(64, '0')), test::contains("No such image"));
}

TEST_CASE("two tags of one manifest are one image with two names", "[image][images]") {
  test::TempDir dir;
  image::Store store(dir.path() / "store");
  image::Descriptor manifest = import_busybox(store);
  store.tag(image::Reference::parse("127.0.0.1:5000/team/box:v1"), manifest);

  std::vector<image::Image> images = image::list_images(store);
  REQUIRE(images.size() == 1);
  CHECK(images[0].names == std::vector<std::string>{"docker.io/library/busybox:latest", "127.0.0.1:5000/team/box:v1"});
  CHECK(image::find_image(store, "127.0.0.1:5000/team/box:v1").names.size() == 2);
  CHECK(image::list_images(image::Store(dir.path() / "empty")).empty());
}

TEST_CASE("a config whose diff_ids do not match the layers is refused", "[image][images]") {
  test::TempDir dir;
  image::Store store(dir.path() / "store");
  image::Descriptor layer = store.put_blob_bytes("a layer", std::string(image::media_type::kOciLayer));
  auto config_with = [&](int diff_ids) {
    nlohmann::json ids = nlohmann::json::array();
    for (int i = 0; i < diff_ids; ++i) ids.push_back(image::sha256_of("layer " + std::to_string(i)).str());
    return store.put_config(
        nlohmann::json{{"architecture", "amd64"}, {"os", "linux"}, {"rootfs", {{"type", "layers"}, {"diff_ids", ids}}}}
            .dump());
  };
  auto manifest_for = [&](const image::Descriptor& config) {
    nlohmann::json m{{"schemaVersion", 2},
                     {"mediaType", image::media_type::kOciManifest},
                     {"config", descriptor_json(config)},
                     {"layers", {descriptor_json(layer)}}};
    return store.put_manifest(m.dump());
  };

  CHECK(image::load_image(store, manifest_for(config_with(1))).diff_ids.size() == 1);
  CHECK_THROWS_WITH(image::load_image(store, manifest_for(config_with(2))), test::contains("2 diff_ids for 1 layers"));
  CHECK_THROWS_WITH(image::load_image(store, manifest_for(config_with(0))), test::contains("0 diff_ids for 1 layers"));
}
