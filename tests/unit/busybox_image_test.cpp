// The offline busybox image (scripts/make-busybox-image.sh) is a valid OCI image layout:
// every blob is named by its sha256, the index points at the manifest, the manifest at the
// config and the layer, and the config's diff_id is the digest of the uncompressed layer.
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace {

const std::filesystem::path kOci = std::filesystem::path(BOXLAB_BUSYBOX_DIR) / "oci";

std::string sha256_of(const std::string& command) {
  boxlab::sys::SpawnOptions o;
  o.args = {"/bin/sh", "-c", command + " | sha256sum | cut -d' ' -f1"};
  auto r = test::capture(o);
  return "sha256:" + r.out.substr(0, 64);
}

std::filesystem::path blob(const std::string& digest) { return kOci / "blobs/sha256" / digest.substr(7); }

nlohmann::json read_json(const std::filesystem::path& p) { return nlohmann::json::parse(boxlab::sys::read_file(p)); }

}  // namespace

TEST_CASE("the busybox OCI layout is consistent and content-addressed", "[image][busybox]") {
  REQUIRE(std::filesystem::exists(kOci / "oci-layout"));
  CHECK(read_json(kOci / "oci-layout")["imageLayoutVersion"] == "1.0.0");
  for (const auto& entry : std::filesystem::directory_iterator(kOci / "blobs/sha256")) {
    INFO(entry.path());
    CHECK(sha256_of("cat " + entry.path().string()) == "sha256:" + entry.path().filename().string());
  }
  auto index = read_json(kOci / "index.json");
  REQUIRE(index["manifests"].size() == 1);
  CHECK(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] == "latest");
  auto manifest = read_json(blob(index["manifests"][0]["digest"]));
  CHECK(manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json");
  auto config = read_json(blob(manifest["config"]["digest"]));
  CHECK(config["os"] == "linux");
  CHECK(config["config"]["Cmd"][0] == "sh");
  std::string layer = manifest["layers"][0]["digest"];
  CHECK(std::filesystem::file_size(blob(layer)) == manifest["layers"][0]["size"].get<size_t>());
  CHECK(sha256_of("gzip -dc " + blob(layer).string()) == config["rootfs"]["diff_ids"][0]);
}

TEST_CASE("the busybox rootfs has a static busybox and its applets", "[image][busybox]") {
  auto rootfs = test::busybox_rootfs();
  CHECK(std::filesystem::is_regular_file(rootfs / "bin/busybox"));
  CHECK(std::filesystem::read_symlink(rootfs / "bin/sh") == "/bin/busybox");
  CHECK(std::filesystem::exists(rootfs / "etc/passwd"));
  boxlab::sys::SpawnOptions o;
  o.args = {"/bin/sh", "-c", "ldd " + (rootfs / "bin/busybox").string() + " 2>&1"};
  CHECK(test::capture(o).out.find("not a dynamic executable") != std::string::npos);
}
