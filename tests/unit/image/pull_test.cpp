// pull (and push) against a real registry (tests/registry_fixture.hpp): layers verified and
// unpacked, progress reported in docker's order, a second pull up to date, by digest, a push
// round-trip; and the refusals: unknown tags, tampered or truncated blobs, an interrupted pull
// and a platform mismatch leave no name, no bad blob and an empty ingest/.
#include "boxlab/image/pull.hpp"

#include <filesystem>
#include <fstream>
#include <vector>

#include "boxlab/image/push.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "registry_fixture.hpp"
#include "test_support.hpp"

namespace image = boxlab::image;
namespace sys = boxlab::sys;
namespace stdfs = std::filesystem;
using Step = image::LayerStep;

namespace {

struct Stores {
  test::TempDir dir;
  image::Store store{dir.path() / "store"};
  image::LayerStore layers{dir.path() / "layers"};
};

// The steps reported, consecutive repeats (kTransferring per chunk) folded into one.
struct Recorder {
  std::vector<Step> steps;
  std::vector<std::string> layers;
  image::LayerObserver observer() {
    return [this](const image::LayerEvent& e) {
      if (steps.empty() || steps.back() != e.step) steps.push_back(e.step);
      layers.push_back(e.layer);
    };
  }
};

image::Reference ref(const test::RegistryFixture& registry, const std::string& rest) {
  return image::Reference::parse(registry.host() + "/" + rest);
}

// The registry's file for blob @p digest (distribution's filesystem driver layout).
stdfs::path registry_blob(const test::RegistryFixture& registry, const image::Digest& digest) {
  return registry.dir() / "data/docker/registry/v2/blobs/sha256" / digest.hex.substr(0, 2) / digest.hex / "data";
}

// What a failed pull must leave: no name, no blob @p absent, an empty ingest/.
void check_nothing_left(const Stores& s, const image::Digest& absent) {
  CHECK(s.store.list().empty());
  CHECK_FALSE(s.store.has_blob(absent));
  CHECK(stdfs::is_empty(s.store.dir() / "ingest"));
}

}  // namespace

TEST_CASE("pull busybox: named, unpacked, verified, reported in order", "[image][pull]") {
  test::RegistryFixture registry;
  registry.fill_busybox();
  Stores s;
  Recorder recorder;
  image::PullResult result = image::pull(s.store, s.layers, ref(registry, "busybox:latest"), {}, recorder.observer());

  const image::Image& pulled = result.image;
  CHECK_FALSE(result.up_to_date);
  CHECK(result.repo_digest == registry.host() + "/busybox@" + pulled.manifest.digest.str());
  CHECK(pulled.repo_digest == result.repo_digest);
  CHECK(pulled.names == std::vector<std::string>{registry.host() + "/busybox:latest"});
  REQUIRE(pulled.layers.size() == 1);
  REQUIRE(pulled.diff_ids.size() == 1);
  CHECK(s.layers.has(pulled.diff_ids[0]));
  CHECK(stdfs::is_directory(s.layers.path(pulled.diff_ids[0]) / "bin"));
  CHECK(image::sha256_of_file(s.store.blob_path(pulled.layers[0].digest)) == pulled.layers[0].digest);
  CHECK(image::find_image(s.store, registry.host() + "/busybox").id() == pulled.id());
  CHECK(recorder.steps == std::vector<Step>{Step::kWaiting, Step::kTransferring, Step::kTransferred, Step::kExtracting,
                                            Step::kComplete});
  for (const auto& layer : recorder.layers) CHECK(layer == pulled.layers[0].digest.hex.substr(0, 12));
  CHECK(stdfs::is_empty(s.store.dir() / "ingest"));

  SECTION("a second pull is up to date and downloads nothing") {
    Recorder again;
    image::PullResult second = image::pull(s.store, s.layers, ref(registry, "busybox:latest"), {}, again.observer());
    CHECK(second.up_to_date);
    CHECK(second.image.manifest.digest == pulled.manifest.digest);
    CHECK(again.steps == std::vector<Step>{Step::kExists});
  }
  SECTION("by digest into a fresh store") {
    Stores fresh;
    auto by_digest = ref(registry, "busybox@" + pulled.manifest.digest.str());
    image::PullResult result2 = image::pull(fresh.store, fresh.layers, by_digest);
    CHECK(result2.image.manifest.digest == pulled.manifest.digest);
    CHECK(fresh.store.resolve(by_digest)->digest == pulled.manifest.digest);
    CHECK(fresh.layers.has(pulled.diff_ids[0]));
  }
  SECTION("push to another repository, pull it back into a fresh store") {
    auto copy = ref(registry, "team/copy:v1");
    s.store.tag(copy, pulled.manifest);
    Recorder pushed;
    image::PushResult push = image::push(s.store, copy, {}, pushed.observer());
    CHECK(push.tag == "v1");
    CHECK(push.digest == pulled.manifest.digest);
    CHECK(push.size == pulled.manifest.size);
    CHECK(pushed.steps == std::vector<Step>{Step::kWaiting, Step::kTransferring, Step::kTransferred});
    Stores fresh;
    image::PullResult back = image::pull(fresh.store, fresh.layers, copy);
    CHECK(back.image.manifest.digest == pulled.manifest.digest);
    CHECK(back.image.id() == pulled.id());
    CHECK(fresh.layers.has(pulled.diff_ids[0]));
  }
}

TEST_CASE("a pull that fails names nothing", "[image][pull]") {
  test::RegistryFixture registry;
  registry.fill_busybox();
  Stores probe;  // the layer's digest and size, from a good pull
  image::Image good = image::pull(probe.store, probe.layers, ref(registry, "busybox:latest")).image;
  const image::Digest layer = good.layers.at(0).digest;
  Stores s;
  const std::string index_before = sys::read_file(s.store.dir() / "index.json");

  SECTION("an unknown tag") {
    CHECK_THROWS_WITH(image::pull(s.store, s.layers, ref(registry, "busybox:nope")), test::contains("busybox:nope"));
    CHECK(sys::read_file(s.store.dir() / "index.json") == index_before);
  }
  SECTION("a tampered layer of the same length") {
    stdfs::path data = registry_blob(registry, layer);
    REQUIRE(stdfs::file_size(data) == good.layers[0].size);
    std::ofstream(data, std::ios::binary | std::ios::trunc) << std::string(good.layers[0].size, 'x');
    REQUIRE(stdfs::file_size(data) == good.layers[0].size);
    CHECK_THROWS_WITH(image::pull(s.store, s.layers, ref(registry, "busybox:latest")),
                      test::contains(layer.str()) && test::contains("digest mismatch"));
    CHECK(sys::read_file(s.store.dir() / "index.json") == index_before);
  }
  SECTION("a truncated layer") {
    stdfs::path data = registry_blob(registry, layer);
    stdfs::resize_file(data, good.layers[0].size / 2);
    CHECK_THROWS_WITH(image::pull(s.store, s.layers, ref(registry, "busybox:latest")), test::contains(layer.str()));
  }
  SECTION("another platform than the one asked for") {
    image::PullOptions options;
    options.platform = image::Platform::parse("linux/arm64");
    CHECK_THROWS_WITH(image::pull(s.store, s.layers, ref(registry, "busybox:latest"), options),
                      test::contains("linux/arm64") && test::contains("linux/amd64"));
    CHECK(s.store.list().empty());
    CHECK_FALSE(s.layers.has(good.diff_ids.at(0)));
    return;  // its verified blobs may stay, to be reused or pruned
  }
  SECTION("an interrupted pull, then a pull that completes") {
    auto interrupt = [](const image::LayerEvent& e) {
      if (e.step == Step::kTransferring) throw std::runtime_error("interrupted by the test");
    };
    CHECK_THROWS_WITH(image::pull(s.store, s.layers, ref(registry, "busybox:latest"), {}, interrupt),
                      test::contains("interrupted by the test"));
    check_nothing_left(s, layer);
    image::PullResult retry = image::pull(s.store, s.layers, ref(registry, "busybox:latest"));
    CHECK(retry.image.manifest.digest == good.manifest.digest);
    CHECK(s.layers.has(good.diff_ids.at(0)));
    return;
  }
  check_nothing_left(s, layer);
}
