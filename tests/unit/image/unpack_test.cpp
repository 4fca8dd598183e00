// Layer unpacking: a normal layer comes out whole with the right diff_id; hostile layers
// (built here with libarchive's writer) are refused with a clear error, the temporary directory
// is removed, and nothing appears outside the layers directory (a canary directory is checked).
#include "boxlab/image/unpack.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "boxlab/sys/error.hpp"
#include "catch.hpp"
#include "test_support.hpp"
#include "unit/image/tar_builder.hpp"

namespace image = boxlab::image;
namespace stdfs = std::filesystem;

namespace {

std::set<std::string> entries(const stdfs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : stdfs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

std::set<std::string> tree(const stdfs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : stdfs::recursive_directory_iterator(dir)) out.insert(stdfs::relative(e.path(), dir).string());
  return out;
}

// A scratch area: layers/ (where layers go), canary/ (which must never change), tar files.
struct Scratch {
  test::TempDir dir;
  stdfs::path layers = dir.path() / "layers";
  stdfs::path canary = dir.path() / "canary";
  Scratch() {
    stdfs::create_directories(layers);
    stdfs::create_directories(canary);
    std::ofstream(canary / "keep") << "canary";
  }
  ~Scratch() {  // a layer's 0500 directories would stop TempDir's cleanup without root
    try {
      image::remove_unpacked(layers);
    } catch (const std::exception&) {
    }
  }
  stdfs::path tar(const std::string& name) const { return dir.path() / name; }
  // Unpack must fail with @p why in the message, leaving layers/ empty and canary/ untouched.
  void refused(const stdfs::path& layer, const std::string& why, const image::UnpackOptions& options = {}) const {
    INFO(layer.filename().string() << " should be refused with: " << why);
    CHECK_THROWS_WITH(image::unpack_layer(layer, layers, std::nullopt, options), test::contains(why));
    CHECK(tree(layers).empty());
    CHECK(tree(canary) == std::set<std::string>{"keep"});
    CHECK_FALSE(stdfs::exists(dir.path() / "pwned"));
  }
};

}  // namespace

TEST_CASE("a layer unpacks whole, with its diff_id, into layers/<diff_id>", "[image][unpack]") {
  Scratch s;
  auto build = [&](const stdfs::path& path, test::TarBuilder::Compression c) {
    test::TarBuilder t(path, c);
    t.dir("./").dir("etc", 0755).file("etc/hostname", "box\n").dir("bin").file("bin/tool", "#!/bin/sh\n", 0755);
    t.symlink("bin/sh", "/bin/tool").hardlink("bin/tool2", "bin/tool").dir("secret", 0500).file("secret/key", "k", 0400);
    t.file("deep/er/file", "made parents").file("etc/.wh.motd", "").file("opq/.wh..wh..opq", "");
    t.node("run/fifo", AE_IFIFO).file("etc/hostname", "replaced\n");
    t.close();
  };
  build(s.tar("layer.tar"), test::TarBuilder::Compression::kNone);
  build(s.tar("layer.tar.gz"), test::TarBuilder::Compression::kGzip);
  auto diff_id = boxlab::image::sha256_of_file(s.tar("layer.tar"));

  auto result = image::unpack_layer(s.tar("layer.tar.gz"), s.layers);
  CHECK(result.diff_id == diff_id);
  CHECK(result.tar_bytes == stdfs::file_size(s.tar("layer.tar")));
  CHECK(result.dir == s.layers / diff_id.hex);
  CHECK(entries(s.layers) == std::set<std::string>{diff_id.hex});
  stdfs::path root = result.dir;
  std::ifstream hostname(root / "etc/hostname");
  CHECK(std::string(std::istreambuf_iterator<char>(hostname), {}) == "replaced\n");
  CHECK(stdfs::read_symlink(root / "bin/sh") == "/bin/tool");
  CHECK(stdfs::equivalent(root / "bin/tool", root / "bin/tool2"));
  CHECK((stdfs::status(root / "bin/tool").permissions() & stdfs::perms::owner_exec) != stdfs::perms::none);
  CHECK(stdfs::status(root / "secret").permissions() == (stdfs::perms::owner_read | stdfs::perms::owner_exec));
  CHECK(stdfs::is_regular_file(root / "deep/er/file"));
  CHECK(stdfs::is_regular_file(root / "etc/.wh.motd"));       // whiteouts stay files (lab 05 converts them)
  CHECK(stdfs::is_regular_file(root / "opq/.wh..wh..opq"));
  CHECK(stdfs::is_fifo(root / "run/fifo"));                   // FIFOs are allowed
  struct stat st {};
  REQUIRE(::lstat((root / "etc/hostname").c_str(), &st) == 0);
  CHECK(st.st_mtim.tv_sec == 946684800);

  SECTION("the same diff_id is reused without reading, the plain tar gives the same layer") {
    auto again = image::unpack_layer("/nonexistent", s.layers, diff_id);
    CHECK(again.reused);
    CHECK(again.dir == root);
    auto plain = image::unpack_layer(s.tar("layer.tar"), s.layers);
    CHECK(plain.diff_id == diff_id);
    CHECK(plain.reused);
    CHECK(entries(s.layers) == std::set<std::string>{diff_id.hex});
  }
  SECTION("a temporary directory left by a killed unpack is removed by the next one") {
    stdfs::create_directories(s.layers / ".tmp-0123456789abcdef/usr/bin");
    std::ofstream(s.layers / ".tmp-0123456789abcdef/usr/bin/half") << "half";
    image::unpack_layer(s.tar("layer.tar"), s.layers);
    CHECK(entries(s.layers) == std::set<std::string>{diff_id.hex});
  }
  SECTION("a diff_id other than the config's is refused and nothing is kept") {
    image::remove_unpacked(root);
    auto wrong = boxlab::image::sha256_of("other");
    CHECK_THROWS_WITH(image::unpack_layer(s.tar("layer.tar.gz"), s.layers, wrong), test::contains("the config says"));
    CHECK(tree(s.layers).empty());
  }
}

TEST_CASE("hostile layers are refused and nothing is written outside", "[image][unpack][hostile]") {
  Scratch s;
  std::string canary = s.canary.string();
  auto make = [&](const std::string& name, auto&& fill, auto compression) {
    test::TarBuilder t(s.tar(name), compression);
    fill(t);
    t.close();
    return s.tar(name);
  };
  auto tar = [&](const std::string& name, auto&& fill) { return make(name, fill, test::TarBuilder::Compression::kNone); };
  using T = test::TarBuilder;

  s.refused(tar("dotdot.tar", [](T& t) { t.file("../pwned", "x"); }), "'..' would leave the layer");
  s.refused(tar("dotdot-deep.tar", [](T& t) { t.dir("a").file("a/../../pwned", "x"); }), "'..' would leave");
  s.refused(tar("absolute.tar", [&](T& t) { t.file(canary + "/pwned", "x"); }), "absolute name");
  s.refused(tar("symlink-out.tar", [&](T& t) { t.symlink("link", canary).file("link/pwned", "x"); }),
            "'link' is a symlink");
  s.refused(tar("symlink-dotdot.tar", [&](T& t) { t.symlink("up", "../../..").file("up/pwned", "x"); }), "symlink");
  s.refused(tar("symlink-chain.tar",
                [&](T& t) { t.symlink("a", "b").symlink("b", "c").symlink("c", canary).file("a/pwned", "x"); }),
            "'a' is a symlink");
  s.refused(tar("symlink-dir-then-dir.tar", [&](T& t) { t.symlink("d", canary).dir("d").file("d/pwned", "x"); }),
            "'d' is a symlink");
  s.refused(tar("hardlink-abs.tar", [](T& t) { t.hardlink("passwd", "/etc/passwd"); }), "absolute name");
  s.refused(tar("hardlink-dotdot.tar", [](T& t) { t.hardlink("passwd", "../../../../../../etc/passwd"); }), "'..'");
  s.refused(tar("hardlink-via-symlink.tar", [](T& t) { t.symlink("etc", "/etc").hardlink("passwd", "etc/passwd"); }),
            "'etc' is a symlink");
  s.refused(tar("hardlink-missing.tar", [](T& t) { t.hardlink("x", "nothere"); }), "linkat x to nothere");
  s.refused(tar("whiteout-dir.tar", [](T& t) { t.file(".wh../pwned", "x"); }), "used as a directory");
  s.refused(tar("whiteout-dotdot.tar", [](T& t) { t.dir("a").file("a/.wh...", ""); }), "names '..'");
  s.refused(tar("whiteout-dot.tar", [](T& t) { t.dir("a").file("a/.wh..", ""); }), "names '.'");
  s.refused(tar("whiteout-symlink.tar", [&](T& t) { t.symlink(".wh.x", canary); }), "not a regular file");
  s.refused(tar("chardev.tar", [](T& t) { t.node("null", AE_IFCHR, makedev(1, 3)); }), "device node refused");
  s.refused(tar("blockdev.tar", [](T& t) { t.node("sda", AE_IFBLK, makedev(8, 0)); }), "device node refused");
  s.refused(tar("many.tar",
                [](T& t) {
                  for (int i = 0; i < 20; ++i) t.file("f" + std::to_string(i), "");
                }),
            "more than 10 entries", image::UnpackOptions{.max_entries = 10});

  image::UnpackOptions small_cap{.max_bytes = 8 << 20};
  s.refused(make("bomb.tar.gz", [](T& t) { t.zeros("zeros", 64 << 20); }, T::Compression::kGzip),
            "declared size 67108864 is larger than the limit of 8388608 bytes", small_cap);
  auto many_zeros = [](T& t) {
    for (int i = 0; i < 16; ++i) t.zeros("zeros" + std::to_string(i), 1 << 20);
  };
  s.refused(make("bomb-many.tar.gz", many_zeros, T::Compression::kGzip),
            "the uncompressed layer is larger than the limit of 8388608 bytes (a decompression bomb?)", small_cap);
  CHECK(stdfs::file_size(s.tar("bomb.tar.gz")) < (1 << 20));

  make("whole.tar.gz", [](T& t) { t.zeros("zeros", 4 << 20).file("after", "x"); }, T::Compression::kGzip);
  stdfs::resize_file(s.tar("whole.tar.gz"), stdfs::file_size(s.tar("whole.tar.gz")) / 2);
  s.refused(s.tar("whole.tar.gz"), "truncated");

  test::write_huge_declared_tar(s.tar("huge.tar"), "huge", uint64_t{1} << 40);
  s.refused(s.tar("huge.tar"), "declared size 1099511627776 is larger than the limit");

  std::ofstream(s.tar("garbage")) << "this is not a tar archive at all, not even compressed";
  s.refused(s.tar("garbage"), "unpack layer");
}

TEST_CASE("through_symlinks follows a layer's own symlinks, still confined to the layer", "[image][unpack][hostile]") {
  Scratch s;
  {
    test::TarBuilder t(s.tar("up.tar"));
    t.dir("inner").symlink("up", "../../../../..").file("up/pwned", "x");
    t.symlink("abs", "/").file("abs/inner/also", "y");
    t.close();
  }
  auto result = image::unpack_layer(s.tar("up.tar"), s.layers, std::nullopt, {.through_symlinks = true});
  CHECK(stdfs::is_regular_file(result.dir / "pwned"));        // ".." stopped at the layer's root
  CHECK(stdfs::is_regular_file(result.dir / "inner/also"));   // "/" is the layer's root
  CHECK(tree(s.canary) == std::set<std::string>{"keep"});
  CHECK_FALSE(stdfs::exists(s.dir.path() / "pwned"));
  {
    test::TarBuilder t(s.tar("abs-out.tar"));
    t.symlink("link", s.canary.string()).file("link/pwned", "x");
    t.close();
  }
  s.layers = s.dir.path() / "layers2";
  s.refused(s.tar("abs-out.tar"), "openat2 link", {.through_symlinks = true});
}

TEST_CASE("the default limits are generous for real layers", "[image][unpack]") {
  image::UnpackOptions defaults;
  CHECK(defaults.max_bytes == uint64_t{8} << 30);
  CHECK(defaults.max_entries == 1'000'000);
  CHECK_FALSE(defaults.allow_devices);
  CHECK_FALSE(defaults.through_symlinks);
}
