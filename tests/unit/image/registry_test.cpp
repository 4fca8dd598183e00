// The registry client against a real registry: Debian's docker-registry on 127.0.0.1, filled
// by skopeo from the build's busybox OCI layout (tests/registry_fixture.hpp). No root needed.
// Pull: ping, manifest (as skopeo wrote it), config and layer with digest checks; refusals
// leave nothing behind. Push: a new blob and a manifest under a new tag, read back by us and
// by skopeo.
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "boxlab/image/digest.hpp"
#include "boxlab/image/platform.hpp"
#include "boxlab/image/registry.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"
#include "registry_fixture.hpp"
#include "test_support.hpp"

namespace image = boxlab::image;
namespace stdfs = std::filesystem;

namespace {

// The manifest of the busybox layout, as make-busybox-image.sh wrote it.
nlohmann::json layout_manifest() {
  auto index = nlohmann::json::parse(test::slurp(test::RegistryFixture::busybox_layout() / "index.json"));
  std::string digest = index["manifests"][0]["digest"];
  return nlohmann::json::parse(test::slurp(test::RegistryFixture::busybox_layout() / "blobs" / "sha256" / digest.substr(7)));
}

size_t entries(const stdfs::path& dir) {
  return static_cast<size_t>(std::distance(stdfs::directory_iterator(dir), stdfs::directory_iterator()));
}

}  // namespace

TEST_CASE("pull busybox from a real registry: manifest, config and layer, verified", "[image][registry]") {
  test::RegistryFixture registry;
  registry.fill_busybox();
  image::Registry client(registry.host());
  CHECK(client.base_url() == "http://" + registry.host());
  client.ping();

  image::Manifest manifest = client.get_manifest("busybox", "latest");
  CHECK(image::is_manifest_media_type(manifest.media_type));
  auto json = nlohmann::json::parse(manifest.bytes);
  REQUIRE(json["layers"].size() == 1);
  // skopeo keeps an OCI manifest as it is, so the digest is the layout's.
  nlohmann::json expected = layout_manifest();
  CHECK(json["layers"][0]["digest"] == expected["layers"][0]["digest"]);

  // The same manifest by digest.
  image::Manifest by_digest = client.get_manifest("busybox", manifest.digest.str());
  CHECK(by_digest.bytes == manifest.bytes);
  CHECK(by_digest.digest == manifest.digest);

  test::TempDir out;
  auto config = image::Digest::parse(json["config"]["digest"].get<std::string>());
  client.fetch_blob("busybox", config, json["config"]["size"], (out.path() / "config").string());
  CHECK(image::sha256_of_file(out.path() / "config") == config);
  CHECK(nlohmann::json::parse(test::slurp(out.path() / "config"))["rootfs"]["type"] == "layers");

  auto layer = image::Digest::parse(json["layers"][0]["digest"].get<std::string>());
  uint64_t layer_size = json["layers"][0]["size"];
  uint64_t last_done = 0, calls = 0, total_seen = 0;
  client.fetch_blob("busybox", layer, layer_size, (out.path() / "layer").string(), [&](uint64_t done, uint64_t total) {
    CHECK(done > last_done);
    last_done = done;
    total_seen = total;
    ++calls;
  });
  CHECK(image::sha256_of_file(out.path() / "layer") == layer);
  CHECK(stdfs::file_size(out.path() / "layer") == layer_size);
  CHECK(last_done == layer_size);
  CHECK(total_seen == layer_size);
  CHECK(calls >= 1);
  CHECK(entries(out.path()) == 2);  // no temporary file left

  SECTION("a wrong digest is refused and leaves nothing") {
    test::TempDir empty;
    auto wrong = image::sha256_of("not the layer");
    CHECK_THROWS_WITH(client.fetch_blob("busybox", wrong, layer_size, (empty.path() / "layer").string()),
                      test::contains("BLOB_UNKNOWN"));
    CHECK(entries(empty.path()) == 0);
  }
  SECTION("a wrong size is refused and leaves nothing") {
    test::TempDir empty;
    CHECK_THROWS_WITH(client.fetch_blob("busybox", layer, layer_size - 1, (empty.path() / "layer").string()),
                      test::contains("larger than the expected"));
    CHECK_THROWS_WITH(client.fetch_blob("busybox", layer, layer_size + 1, (empty.path() / "layer").string()),
                      test::contains("expected " + std::to_string(layer_size + 1)));
    CHECK(entries(empty.path()) == 0);
  }
  SECTION("unknown tags and repositories, bad names, oversized manifests") {
    CHECK_THROWS_WITH(client.get_manifest("busybox", "nope"), test::contains("MANIFEST_UNKNOWN"));
    CHECK_THROWS_WITH(client.get_manifest("nothing/here", "latest"), test::contains("HTTP 404"));
    CHECK_THROWS_WITH(client.get_manifest("../etc", "latest"), test::contains("repository '../etc'"));
    CHECK_THROWS_WITH(client.get_manifest("busybox", "latest?x=1"), test::contains("tag 'latest?x=1'"));
    CHECK_THROWS_WITH(client.get_manifest("busybox", "sha256:" + std::string(64, '0')), test::contains("MANIFEST_UNKNOWN"));
    image::RegistryOptions options;
    options.max_manifest_size = 100;
    image::Registry small(registry.host(), options);
    CHECK_THROWS_WITH(small.get_manifest("busybox", "latest"), test::contains("larger than the limit of 100 bytes"));
  }
}

TEST_CASE("push a blob and a manifest under a new tag, then pull them back", "[image][registry]") {
  test::RegistryFixture registry;
  registry.fill_busybox();
  image::Registry client(registry.host());
  image::Manifest source = client.get_manifest("busybox", "latest");
  auto json = nlohmann::json::parse(source.bytes);

  test::TempDir work;
  // The config and layer, copied into a new repository.
  for (const auto& descriptor : {json["config"], json["layers"][0]}) {
    auto digest = image::Digest::parse(descriptor["digest"].get<std::string>());
    std::string file = (work.path() / digest.hex).string();
    client.fetch_blob("busybox", digest, descriptor["size"], file);
    CHECK(client.push_blob("boxlab/roundtrip", digest, file));
    CHECK(client.blob_exists("boxlab/roundtrip", digest));
    CHECK_FALSE(client.push_blob("boxlab/roundtrip", digest, file));  // HEAD says it is there
  }

  // A blob the registry has never seen.
  std::string fresh = "boxlab round trip " + std::to_string(registry.port()) + "\n";
  std::ofstream(work.path() / "fresh") << fresh;
  auto fresh_digest = image::sha256_of(fresh);
  CHECK_FALSE(client.blob_exists("boxlab/roundtrip", fresh_digest));
  CHECK(client.push_blob("boxlab/roundtrip", fresh_digest, (work.path() / "fresh").string()));
  client.fetch_blob("boxlab/roundtrip", fresh_digest, fresh.size(), (work.path() / "fresh-back").string());
  CHECK(test::slurp(work.path() / "fresh-back") == fresh);
  CHECK_THROWS_WITH(client.push_blob("boxlab/roundtrip", image::sha256_of("other"), (work.path() / "fresh").string()),
                    test::contains("not to the digest to push"));

  image::Digest pushed = client.push_manifest("boxlab/roundtrip", "pushed", source.media_type, source.bytes);
  CHECK(pushed == source.digest);
  image::Manifest back = client.get_manifest("boxlab/roundtrip", "pushed");
  CHECK(back.bytes == source.bytes);
  CHECK(back.media_type == source.media_type);
  CHECK(client.get_manifest("boxlab/roundtrip", pushed.str()).bytes == source.bytes);

  // An independent client reads what we pushed.
  auto inspected = test::capture(test::RegistryFixture::command(
      {"skopeo", "inspect", "--tls-verify=false", "--raw", "docker://" + registry.host() + "/boxlab/roundtrip:pushed"}));
  CHECK(inspected.status.code == 0);
  CHECK(image::sha256_of(inspected.out) == pushed);

  CHECK_THROWS_WITH(client.push_manifest("boxlab/roundtrip", "bad", "application/json", source.bytes),
                    test::contains("unsupported manifest media type"));
  CHECK_THROWS_WITH(client.push_manifest("boxlab/roundtrip", image::sha256_of("x").str(), source.media_type, source.bytes),
                    test::contains("not to the digest it is pushed under"));
}

TEST_CASE("a registry that is not there fails with the URL and curl's reason", "[image][registry]") {
  // A port bound but not listening: nobody else can take it while the test runs, and a connect
  // to it is refused (a port that was merely free could be taken by a parallel test's server).
  boxlab::sys::UniqueFd bound(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  REQUIRE(::bind(bound.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::getsockname(bound.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0);
  int port = ntohs(address.sin_port);
  image::RegistryOptions options;
  options.connect_timeout_seconds = 5;
  image::Registry client("127.0.0.1:" + std::to_string(port), options);
  CHECK_THROWS_WITH(client.ping(), test::contains("http://127.0.0.1:" + std::to_string(port) + "/v2/") &&
                                       test::contains("Couldn't connect"));
}
