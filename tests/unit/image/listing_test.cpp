// What `images`, `history` and `image inspect` print: docker's columns, a row per name, ids
// once with -q, steps newest first with <missing> and 0B for empty layers, and inspect JSON
// with docker's field names.
#include "boxlab/image/listing.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "catch.hpp"
#include "test_support.hpp"

namespace image = boxlab::image;

namespace {

// An image made by hand: one layer of @p layer_size compressed bytes, its config digest from @p seed.
image::Image make_image(const std::string& seed, std::vector<std::string> names, const std::string& created,
                        uint64_t layer_size = 2140000) {
  image::Image out;
  out.names = std::move(names);
  out.created = created;
  out.os = "linux";
  out.architecture = "amd64";
  out.config = {std::string(image::media_type::kOciConfig), image::sha256_of("config " + seed), 100, {}, {}, {}};
  out.manifest = {std::string(image::media_type::kOciManifest), image::sha256_of("manifest " + seed), 400, {}, {}, {}};
  out.layers = {{std::string(image::media_type::kOciLayerGzip), image::sha256_of("layer " + seed), layer_size, {}, {}, {}}};
  out.diff_ids = {image::sha256_of("diff " + seed)};
  out.config_json = R"({"config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[]}})";
  out.history = {{created, "ADD rootfs.tar / # a long command that docker truncates at 45 characters", "", false},
                 {created, "CMD [\"sh\"]", "the last step", true}};
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

}  // namespace

TEST_CASE("images: a header, a row per name, newest first", "[image][listing]") {
  test::TempDir dir;
  image::LayerStore layers(dir.path());
  image::Image old_one = make_image("old", {"docker.io/library/busybox:latest", "127.0.0.1:5000/team/box:v1"},
                                    "2000-01-01T00:00:00Z");
  image::Image new_one = make_image("new", {"docker.io/library/alpine:3.19"}, "2020-01-01T00:00:00Z", 999);
  std::vector<std::string> out = lines(image::format_images({old_one, new_one}, layers));

  REQUIRE(out.size() == 4);
  CHECK(out[0].starts_with("REPOSITORY"));
  CHECK_THAT(out[0], test::contains("   TAG   ") && test::contains("IMAGE ID") && test::contains("CREATED"));
  CHECK(out[0].ends_with("SIZE"));
  CHECK_THAT(out[0], !test::contains("DIGEST"));
  CHECK(words(out[1])[0] == "alpine");
  CHECK(words(out[1])[1] == "3.19");
  CHECK(words(out[1])[2] == new_one.short_id());
  CHECK(words(out[1]).back() == "999B");
  CHECK(words(out[2])[0] == "busybox");
  CHECK(words(out[3])[0] == "127.0.0.1:5000/team/box");
  CHECK(words(out[3])[1] == "v1");
  for (int row : {2, 3}) {
    CHECK(words(out[row])[2] == old_one.short_id());
    CHECK(words(out[row]).back() == "2.14MB");  // unpacked size unknown: the compressed size
    CHECK_THAT(out[row], test::contains("years ago"));
  }
}

TEST_CASE("images -q lists each id once; --digests adds a DIGEST column", "[image][listing]") {
  test::TempDir dir;
  image::LayerStore layers(dir.path());
  image::Image two_names = make_image("a", {"docker.io/library/a:1", "docker.io/library/a:2"}, "2001-01-01T00:00:00Z");
  image::Image pulled = make_image("b", {"docker.io/library/b:latest"}, "2002-01-01T00:00:00Z");
  pulled.repo_digest = "docker.io/library/b@" + image::sha256_of("repo").str();

  image::ImagesFormat quiet;
  quiet.quiet = true;
  // A line per row, as docker images -q: the image with two tags appears twice.
  CHECK(image::format_images({two_names, pulled}, layers, quiet) ==
        pulled.short_id() + "\n" + two_names.short_id() + "\n" + two_names.short_id() + "\n");
  quiet.no_trunc = true;
  CHECK(image::format_images({pulled}, layers, quiet) == pulled.id() + "\n");

  image::ImagesFormat digests;
  digests.digests = true;
  std::vector<std::string> out = lines(image::format_images({two_names, pulled}, layers, digests));
  REQUIRE(out.size() == 4);
  CHECK(words(out[0]) == std::vector<std::string>{"REPOSITORY", "TAG", "DIGEST", "IMAGE", "ID", "CREATED", "SIZE"});
  CHECK(words(out[1])[2] == image::sha256_of("repo").str());
  CHECK(words(out[2])[2] == "<none>");
  CHECK(words(out[3])[2] == "<none>");
}

TEST_CASE("history: newest step first, <missing> below it, 0B for empty layers", "[image][listing]") {
  test::TempDir dir;
  image::LayerStore layers(dir.path());
  image::Image busybox = make_image("h", {"docker.io/library/busybox:latest"}, "2000-01-01T00:00:00Z", 1234);

  std::vector<std::string> out = lines(image::format_history(busybox, layers));
  REQUIRE(out.size() == 3);
  CHECK(words(out[0]) == std::vector<std::string>{"IMAGE", "CREATED", "CREATED", "BY", "SIZE", "COMMENT"});
  CHECK(out[1].starts_with(busybox.short_id() + "   "));
  CHECK_THAT(out[1], test::contains("CMD [\"sh\"]") && test::contains(" 0B ") && test::contains("the last step"));
  CHECK(out[2].starts_with("<missing>"));
  CHECK_THAT(out[2], test::contains("1.23kB") && test::contains("…") && !test::contains("45 characters"));

  std::vector<std::string> raw = lines(image::format_history(busybox, layers, true, false));
  REQUIRE(raw.size() == 3);
  CHECK(raw[1].starts_with(busybox.id()));
  CHECK_THAT(raw[1], test::contains("2000-01-01T00:00:00Z") && test::contains(" 0 ") && test::contains("the last step"));
  CHECK_THAT(raw[2], test::contains("at 45 characters   1234"));
}

TEST_CASE("inspect: a JSON array with docker's fields", "[image][listing]") {
  test::TempDir dir;
  image::LayerStore layers(dir.path());
  image::Image a = make_image("a", {"docker.io/library/busybox:latest", "127.0.0.1:5000/team/box:v1"},
                              "2000-01-01T00:00:00Z");
  a.repo_digest = "docker.io/library/busybox@" + image::sha256_of("repo").str();
  image::Image b = make_image("b", {}, "2001-01-01T00:00:00Z");

  auto doc = nlohmann::json::parse(image::inspect_images({a, b}, layers));
  REQUIRE(doc.is_array());
  REQUIRE(doc.size() == 2);
  CHECK(doc[0]["Id"] == a.id());
  CHECK(doc[0]["RepoTags"] == nlohmann::json{"busybox:latest", "127.0.0.1:5000/team/box:v1"});
  CHECK(doc[0]["RepoDigests"] == nlohmann::json{"busybox@" + image::sha256_of("repo").str()});
  CHECK(doc[0]["RootFS"]["Type"] == "layers");
  CHECK(doc[0]["RootFS"]["Layers"] == nlohmann::json{a.diff_ids[0].str()});
  CHECK(doc[0]["Config"]["Cmd"] == nlohmann::json{"sh"});
  CHECK(doc[0]["Os"] == "linux");
  CHECK(doc[0]["Architecture"] == "amd64");
  CHECK(doc[0]["Size"] == 2140000);
  CHECK(doc[0]["Comment"] == "the last step");
  CHECK(doc[1]["RepoTags"].empty());
  CHECK(image::inspect_images({}, layers) == "[]\n");
}

TEST_CASE("familiar_repository drops the tag, the digest and docker.io/library", "[image][listing]") {
  CHECK(image::familiar_repository("docker.io/library/busybox:latest") == "busybox");
  CHECK(image::familiar_repository("docker.io/team/app:1") == "team/app");
  CHECK(image::familiar_repository("127.0.0.1:5000/team/app:v2") == "127.0.0.1:5000/team/app");
  CHECK(image::familiar_repository("docker.io/library/busybox@" + image::sha256_of("x").str()) == "busybox");
  CHECK(image::familiar_repository("ghcr.io/o/r:t@" + image::sha256_of("x").str()) == "ghcr.io/o/r");
}
