// save and load: a saved tar loads back into a fresh store as the same image and is read by
// skopeo; archives written by skopeo (docker-archive) and OCI layout directories load; and
// hostile archives are refused with nothing named and nothing written outside the store.
#include "boxlab/image/archive.hpp"

#include <fcntl.h>

#include <nlohmann/json.hpp>
#include <set>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "tar_builder.hpp"
#include "test_support.hpp"

namespace image = boxlab::image;
namespace sys = boxlab::sys;
namespace stdfs = std::filesystem;

namespace {

stdfs::path busybox_layout() { return stdfs::path(BOXLAB_BINARY_DIR) / "busybox" / "oci"; }

// A store and its layers under one temp dir, busybox imported as busybox:latest when asked.
struct Stores {
  explicit Stores(bool with_busybox) {
    if (with_busybox) store.import_layout(busybox_layout(), "latest", image::Reference::parse("busybox"));
  }
  test::TempDir dir;
  image::Store store{dir.path() / "store"};
  image::LayerStore layers{dir.path() / "layers"};
};

void save(const Stores& from, const std::vector<std::string>& names, const stdfs::path& file) {
  sys::UniqueFd out = sys::open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  image::save_images(from.store, names, out.get());
}

test::Captured run(std::vector<std::string> args) {
  sys::SpawnOptions options;
  options.args = std::move(args);
  return test::capture(options);
}

// Every path under @p dir, except those under @p skip.
std::set<std::string> tree(const stdfs::path& dir, const stdfs::path& skip) {
  std::set<std::string> out;
  for (auto it = stdfs::recursive_directory_iterator(dir); it != stdfs::recursive_directory_iterator(); ++it) {
    if (it->path() == skip) it.disable_recursion_pending();
    out.insert(it->path().string());
  }
  return out;
}

bool empty_dir(const stdfs::path& dir) { return stdfs::is_empty(dir); }

}  // namespace

TEST_CASE("save then load into a fresh store gives the same image", "[image][archive]") {
  Stores from(true);
  image::Image busybox = image::find_image(from.store, "busybox");
  from.store.tag(image::Reference::parse("busybox:copy"), busybox.manifest);
  stdfs::path file = from.dir.path() / "busybox.tar";
  save(from, {"busybox:latest", "busybox:copy"}, file);

  Stores to(false);
  std::vector<std::string> loaded = image::load_images(to.store, to.layers, file);
  CHECK(loaded == std::vector<std::string>{"docker.io/library/busybox:latest", "docker.io/library/busybox:copy"});
  image::Image back = image::find_image(to.store, "busybox:latest");
  CHECK(back.manifest.digest == busybox.manifest.digest);
  CHECK(back.id() == busybox.id());
  CHECK(back.names.size() == 2);
  REQUIRE(back.diff_ids.size() == 1);
  CHECK(to.layers.has(back.diff_ids[0]));
  CHECK(stdfs::is_directory(to.layers.path(back.diff_ids[0]) / "bin"));
  CHECK(empty_dir(to.store.dir() / "ingest"));

  SECTION("skopeo reads the saved file") {
    test::Captured inspect = run({"skopeo", "inspect", "oci-archive:" + file.string() + ":latest"});
    INFO(inspect.out);
    REQUIRE(inspect.status.code == 0);
    auto doc = nlohmann::json::parse(inspect.out);
    CHECK(doc["Digest"] == busybox.manifest.digest.str());
    CHECK(doc["Layers"] == nlohmann::json{busybox.layers[0].digest.str()});
  }
  SECTION("a name that is not in the store is refused") {
    CHECK_THROWS_WITH(save(from, {"nope"}, from.dir.path() / "nope.tar"), test::contains("No such image: nope:latest"));
  }
}

TEST_CASE("load reads skopeo's docker-archive and an OCI layout directory", "[image][archive]") {
  Stores reference(true);  // the layout's image, read without opening the build's layout as a store
  image::Image original = image::find_image(reference.store, "busybox");
  Stores to(false);

  SECTION("docker-archive") {
    stdfs::path file = to.dir.path() / "docker.tar";
    test::Captured copy = run({"skopeo", "copy", "--quiet", "--insecure-policy", "oci:" + busybox_layout().string() + ":latest",
                               "docker-archive:" + file.string() + ":old/busybox:1"});
    INFO(copy.out);
    REQUIRE(copy.status.code == 0);
    CHECK(image::load_images(to.store, to.layers, file) == std::vector<std::string>{"docker.io/old/busybox:1"});
    image::Image loaded = image::find_image(to.store, "old/busybox:1");
    CHECK(loaded.diff_ids == original.diff_ids);
    CHECK(loaded.container_config.cmd == std::vector<std::string>{"sh"});
    CHECK(to.layers.has(loaded.diff_ids.at(0)));
  }
  SECTION("OCI layout directory") {
    CHECK(image::load_images(to.store, to.layers, busybox_layout()) ==
          std::vector<std::string>{"docker.io/library/busybox:latest"});
    CHECK(image::find_image(to.store, "busybox").manifest.digest == original.manifest.digest);
    CHECK(to.layers.has(original.diff_ids.at(0)));
  }
}

TEST_CASE("hostile archives are refused, nothing named, nothing written outside the store", "[image][archive]") {
  Stores to(false);
  stdfs::path file = to.dir.path() / "hostile.tar";
  const std::string good_hex = image::sha256_of("what the name promises").hex;
  std::string expected;
  {
    test::TarBuilder tar(file);
    tar.file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    SECTION("a blob whose bytes do not hash to its name") {
      tar.file("blobs/sha256/" + good_hex, "something else");
      tar.file("index.json", nlohmann::json{{"schemaVersion", 2},
                                            {"manifests", {{{"mediaType", image::media_type::kOciManifest},
                                                            {"digest", "sha256:" + good_hex},
                                                            {"size", 14},
                                                            {"annotations", {{"io.containerd.image.name", "docker.io/library/evil:1"}}}}}}}
                                 .dump());
      expected = "hash to";
    }
    SECTION("an entry that climbs out") {
      tar.file("../evil", "x");
      expected = "points outside the archive";
    }
    SECTION("an absolute entry") {
      tar.file("/tmp/evil-boxlab-archive-test", "x");
      expected = "absolute names are refused";
    }
    SECTION("neither index.json nor manifest.json") {
      tar.file("repositories", "{}");
      expected = "neither index.json nor manifest.json";
    }
    SECTION("manifest.json naming a missing file") {
      tar.file("manifest.json", R"([{"Config":"missing.json","RepoTags":["evil:1"],"Layers":["nope/layer.tar"]}])");
      expected = "the archive has no file missing.json";
    }
    SECTION("an index.json over 4 MiB") {
      tar.file("index.json", R"({"schemaVersion":2,"manifests":[]})" + std::string(4 << 20, ' '));
      expected = "more than 4194304 bytes";
    }
    tar.close();
  }
  std::set<std::string> before = tree(to.dir.path(), to.store.dir());
  std::string index_before = sys::read_file(to.store.dir() / "index.json");

  CHECK_THROWS_WITH(image::load_images(to.store, to.layers, file), test::contains(expected));
  CHECK(to.store.list().empty());
  CHECK(sys::read_file(to.store.dir() / "index.json") == index_before);
  CHECK_FALSE(to.store.has_blob({"sha256", good_hex}));
  CHECK(empty_dir(to.store.dir() / "ingest"));
  CHECK(tree(to.dir.path(), to.store.dir()) == before);
  CHECK_FALSE(stdfs::exists("/tmp/evil-boxlab-archive-test"));
  CHECK_FALSE(stdfs::exists(to.dir.path().parent_path() / "evil"));
}
