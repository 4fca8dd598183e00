// import and rmi/prune: a rootfs tarball becomes a one-layer image whose diff_id is its
// uncompressed sha256; removing one of two tags only untags, removing the last frees blobs and
// unpacked layers; ids with several names and images in use need force; prune frees what no
// name reaches, and with all=true every unused image.
#include <nlohmann/json.hpp>

#include "boxlab/image/import.hpp"
#include "boxlab/image/remove.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "tar_builder.hpp"
#include "test_support.hpp"

namespace image = boxlab::image;
namespace sys = boxlab::sys;
namespace stdfs = std::filesystem;

namespace {

struct Stores {
  test::TempDir dir;
  image::Store store{dir.path() / "store"};
  image::LayerStore layers{dir.path() / "layers"};
};

// A small root filesystem tarball.
stdfs::path rootfs_tar(const stdfs::path& path, test::TarBuilder::Compression compression) {
  test::TarBuilder tar(path, compression);
  tar.dir("etc").file("etc/hostname", "box\n").dir("bin").file("bin/hello", "#!/bin/sh\necho hi\n", 0755);
  tar.close();
  return path;
}

// The stdout of a command (its stderr too; these commands print none when they succeed).
std::string output_of(std::vector<std::string> args) {
  sys::SpawnOptions options;
  options.args = std::move(args);
  test::Captured result = test::capture(options);
  if (result.status.code != 0) throw std::runtime_error(result.out);
  return result.out;
}

// busybox:latest (from the build's layout) with its layer unpacked.
image::Image add_busybox(const Stores& s) {
  s.store.import_layout(stdfs::path(BOXLAB_BINARY_DIR) / "busybox" / "oci", "latest", image::Reference::parse("busybox"));
  image::Image busybox = image::find_image(s.store, "busybox");
  s.layers.ensure(s.store, busybox);
  return busybox;
}

bool has_all_blobs(const image::Store& store, const image::Image& i) {
  return store.has_blob(i.manifest.digest) && store.has_blob(i.config.digest) && store.has_blob(i.layers.at(0).digest);
}

bool has_any_blob(const image::Store& store, const image::Image& i) {
  return store.has_blob(i.manifest.digest) || store.has_blob(i.config.digest) || store.has_blob(i.layers.at(0).digest);
}

}  // namespace

TEST_CASE("import a plain or gzip rootfs tarball as a one-layer image", "[image][import]") {
  Stores s;
  stdfs::path plain = rootfs_tar(s.dir.path() / "rootfs.tar", test::TarBuilder::Compression::kNone);
  const image::Digest uncompressed = image::sha256_of_file(plain);

  SECTION("plain tar") {
    image::Image imported = image::import_rootfs(s.store, s.layers, plain, image::Reference::parse("mine:1"));
    REQUIRE(imported.layers.size() == 1);
    CHECK(imported.layers[0].media_type == image::media_type::kOciLayer);
    CHECK(imported.layers[0].digest == uncompressed);
    CHECK(imported.diff_ids == std::vector<image::Digest>{uncompressed});
    REQUIRE(imported.history.size() == 1);
    CHECK(imported.history[0].comment == "Imported from " + plain.string());
    CHECK(imported.container_config.cmd.empty());
    CHECK(imported.names == std::vector<std::string>{"docker.io/library/mine:1"});
    CHECK(s.layers.has(uncompressed));
    CHECK(sys::read_file(s.layers.path(uncompressed) / "etc" / "hostname") == "box\n");
    CHECK(image::find_image(s.store, "mine:1").id() == imported.id());
  }
  SECTION("gzip tar, with a message") {
    stdfs::path gz = rootfs_tar(s.dir.path() / "rootfs.tar.gz", test::TarBuilder::Compression::kGzip);
    const image::Digest inside = image::sha256_of(output_of({"gzip", "-dc", gz.string()}));
    image::Image imported = image::import_rootfs(s.store, s.layers, gz, image::Reference::parse("mine:gz"), "by a test");
    REQUIRE(imported.layers.size() == 1);
    CHECK(imported.layers[0].media_type == image::media_type::kOciLayerGzip);
    CHECK(imported.layers[0].digest == image::sha256_of_file(gz));
    CHECK(imported.diff_ids == std::vector<image::Digest>{inside});
    CHECK(imported.history.at(0).comment == "by a test");
    CHECK(s.layers.has(inside));
  }
  SECTION("xz is refused with a clear message, and nothing is named") {
    output_of({"xz", "-k", plain.string()});
    CHECK_THROWS_WITH(image::import_rootfs(s.store, s.layers, plain.string() + ".xz", image::Reference::parse("mine:xz")),
                      test::contains("xz is not a layer compression"));
    CHECK(s.store.list().empty());
  }
}

TEST_CASE("rmi of one of two tags untags; of the last tag frees blobs and layers", "[image][remove]") {
  Stores s;
  image::Image busybox = add_busybox(s);
  s.store.tag(image::Reference::parse("busybox:1"), busybox.manifest);
  const image::Digest diff_id = busybox.diff_ids.at(0);

  image::Removal first = image::remove_image(s.store, s.layers, "busybox:1", false);
  CHECK(first.untagged == std::vector<std::string>{"busybox:1"});
  CHECK(first.deleted.empty());
  CHECK(first.reclaimed == 0);
  CHECK(first.lines() == "Untagged: busybox:1\n");
  CHECK(has_all_blobs(s.store, busybox));
  CHECK(s.layers.has(diff_id));

  image::Removal last = image::remove_image(s.store, s.layers, "busybox", false);
  CHECK(last.untagged == std::vector<std::string>{"busybox:latest"});
  CHECK(last.deleted == std::vector<std::string>{busybox.id(), diff_id.str()});
  CHECK(last.reclaimed > busybox.layers[0].size);
  CHECK_THAT(last.lines(), test::contains("Deleted: " + busybox.id()));
  CHECK_FALSE(has_any_blob(s.store, busybox));
  CHECK_FALSE(s.layers.has(diff_id));
  CHECK_FALSE(stdfs::exists(s.layers.path(diff_id)));
  CHECK_THROWS_WITH(image::remove_image(s.store, s.layers, "busybox", false), test::contains("No such image"));
}

TEST_CASE("rmi by id of an image with two names needs force", "[image][remove]") {
  Stores s;
  image::Image busybox = add_busybox(s);
  s.store.tag(image::Reference::parse("busybox:1"), busybox.manifest);

  CHECK_THROWS_WITH(image::remove_image(s.store, s.layers, busybox.id(), false), test::contains("must be forced"));
  CHECK(s.store.list().size() == 2);
  image::Removal forced = image::remove_image(s.store, s.layers, busybox.short_id(), true);
  CHECK(forced.untagged.size() == 2);
  CHECK(forced.deleted.size() == 2);
  CHECK(s.store.list().empty());
  CHECK_FALSE(has_any_blob(s.store, busybox));
}

TEST_CASE("rmi of an image a container uses is refused", "[image][remove]") {
  Stores s;
  image::Image busybox = add_busybox(s);
  const image::ImagesInUse in_use{{busybox.id(), std::string(64, 'c')}};

  CHECK_THROWS_WITH(image::remove_image(s.store, s.layers, "busybox", false, in_use),
                    test::contains("must force") && test::contains("cccccccccccc"));
  CHECK(s.store.list().size() == 1);
  image::Removal forced = image::remove_image(s.store, s.layers, "busybox", true, in_use);
  CHECK(forced.untagged == std::vector<std::string>{"busybox:latest"});
  CHECK(forced.deleted.empty());  // forced only untags: the container still stands on it
  CHECK(has_all_blobs(s.store, busybox));
  CHECK(s.layers.has(busybox.diff_ids.at(0)));
}

TEST_CASE("prune frees unreferenced blobs; prune -a every unused image", "[image][remove]") {
  Stores s;
  image::Image busybox = add_busybox(s);
  stdfs::path tar = rootfs_tar(s.dir.path() / "rootfs.tar", test::TarBuilder::Compression::kNone);
  image::Image mine = image::import_rootfs(s.store, s.layers, tar, image::Reference::parse("mine:1"));
  image::Descriptor junk = s.store.put_blob_bytes("nobody points here", "application/octet-stream");

  image::Removal dangling = image::prune_images(s.store, s.layers, false);
  CHECK_FALSE(s.store.has_blob(junk.digest));
  CHECK(dangling.untagged.empty());
  CHECK(dangling.reclaimed == junk.size);
  CHECK(has_all_blobs(s.store, busybox));
  CHECK(has_all_blobs(s.store, mine));
  CHECK(s.store.list().size() == 2);

  image::Removal all = image::prune_images(s.store, s.layers, true, {{mine.id(), std::string(64, 'a')}});
  CHECK(all.untagged == std::vector<std::string>{"busybox:latest"});
  CHECK_FALSE(has_any_blob(s.store, busybox));
  CHECK_FALSE(s.layers.has(busybox.diff_ids.at(0)));
  CHECK(has_all_blobs(s.store, mine));
  CHECK(s.layers.has(mine.diff_ids.at(0)));
  CHECK(image::find_image(s.store, "mine:1").id() == mine.id());
}

TEST_CASE("LayerStore::remove_unused keeps the layers containers use", "[image][remove]") {
  Stores s;
  image::Image busybox = add_busybox(s);
  const image::Digest diff_id = busybox.diff_ids.at(0);
  uint64_t size = s.layers.size(diff_id);
  CHECK(size > 0);
  CHECK(s.layers.total_size() == size);
  REQUIRE(s.store.untag(image::Reference::parse("busybox")));

  CHECK(s.layers.remove_unused(s.store, {diff_id.hex}).empty());
  CHECK(s.layers.has(diff_id));
  std::vector<image::RemovedLayer> removed = s.layers.remove_unused(s.store);
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].diff_id == diff_id);
  CHECK(removed[0].size == size);
  CHECK_FALSE(s.layers.has(diff_id));
  CHECK(s.layers.total_size() == 0);
}
