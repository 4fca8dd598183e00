// Platforms and choosing a manifest from a Docker manifest list or an OCI index: the default
// linux/amd64, variants (arm64 is arm64/v8), attestation entries skipped, and an error that
// lists the platforms the image has.
#include "boxlab/image/platform.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"

namespace image = boxlab::image;

namespace {

std::string digest(char c) { return "sha256:" + std::string(64, c); }

// Shaped like docker.io/library/busybox's manifest list.
const std::string kList = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
  "manifests": [
    {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 528, "digest": ")" + digest('a') + R"(",
     "platform": {"architecture": "amd64", "os": "linux"}},
    {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 527, "digest": ")" + digest('b') + R"(",
     "platform": {"architecture": "arm", "os": "linux", "variant": "v6"}},
    {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 527, "digest": ")" + digest('c') + R"(",
     "platform": {"architecture": "arm", "os": "linux", "variant": "v7"}},
    {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 527, "digest": ")" + digest('d') + R"(",
     "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}}
  ]})";

// Shaped like a buildx OCI index with an attestation manifest.
const std::string kIndex = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 1000, "digest": ")" + digest('e') + R"(",
     "platform": {"architecture": "arm64", "os": "linux"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 1001, "digest": ")" + digest('f') + R"(",
     "platform": {"architecture": "amd64", "os": "linux"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 566, "digest": ")" + digest('1') + R"(",
     "platform": {"architecture": "unknown", "os": "unknown"},
     "annotations": {"vnd.docker.reference.type": "attestation-manifest"}}
  ]})";

}  // namespace

TEST_CASE("platforms are parsed and normalized", "[image][platform]") {
  CHECK(image::Platform::parse("linux/amd64").str() == "linux/amd64");
  CHECK(image::Platform::parse("linux/arm64/v8").str() == "linux/arm64/v8");
  CHECK(image::Platform::parse("linux/arm64").str() == "linux/arm64/v8");
  CHECK(image::Platform::parse("linux/aarch64").str() == "linux/arm64/v8");
  CHECK(image::Platform::parse("Linux/x86_64").str() == "linux/amd64");
  CHECK(image::Platform::parse("linux/arm").str() == "linux/arm/v7");
  CHECK(image::default_platform().str() == "linux/amd64");
  CHECK_THROWS_WITH(image::Platform::parse("amd64"), test::contains("expected os/arch"));
  CHECK_THROWS_WITH(image::Platform::parse("linux/amd64/v2/x"), test::contains("expected os/arch"));
  CHECK_THROWS_WITH(image::Platform::parse("linux//v8"), test::contains("not a valid name"));
  CHECK_THROWS_WITH(image::Platform::parse("linux/am d64"), test::contains("not a valid name"));
}

TEST_CASE("a manifest is chosen from a Docker manifest list", "[image][platform]") {
  auto amd64 = image::choose_manifest(kList);
  CHECK(amd64.digest == digest('a'));
  CHECK(amd64.size == 528);
  CHECK(amd64.media_type == image::kDockerManifest);
  CHECK(image::choose_manifest(kList, image::Platform::parse("linux/arm/v6")).digest == digest('b'));
  CHECK(image::choose_manifest(kList, image::Platform::parse("linux/arm")).digest == digest('c'));
  CHECK(image::choose_manifest(kList, image::Platform::parse("linux/arm64")).digest == digest('d'));
  CHECK(image::choose_manifest(kList, image::Platform::parse("linux/arm64/v8")).platform.str() == "linux/arm64/v8");
}

TEST_CASE("a manifest is chosen from an OCI index; attestations are skipped", "[image][platform]") {
  CHECK(image::choose_manifest(kIndex).digest == digest('f'));
  CHECK(image::choose_manifest(kIndex, image::Platform::parse("linux/arm64/v8")).digest == digest('e'));
  CHECK_THROWS_WITH(image::choose_manifest(kIndex, image::Platform::parse("linux/s390x")),
                    test::contains("no manifest for linux/s390x") &&
                        test::contains("the image has: linux/arm64/v8, linux/amd64") &&
                        !test::contains("unknown"));
}

TEST_CASE("what is not an index is refused", "[image][platform]") {
  CHECK_THROWS_WITH(image::choose_manifest("not json"), test::contains("not a JSON object"));
  CHECK_THROWS_WITH(image::choose_manifest(R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","manifests":[]})"),
                    test::contains("is not a manifest list or an OCI index"));
  CHECK_THROWS_WITH(image::choose_manifest(R"({"schemaVersion":2})"), test::contains("no \"manifests\" array"));
  CHECK_THROWS_WITH(image::choose_manifest(R"({"manifests":[]})"), test::contains("no platform entries"));
  CHECK_THROWS_WITH(
      image::choose_manifest(R"({"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,
        "digest":"sha256:../../etc/passwd","platform":{"os":"linux","architecture":"amd64"}}]})"),
      test::contains("the entry for linux/amd64") && test::contains("digest"));
  CHECK_THROWS_WITH(
      image::choose_manifest(R"({"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","size":1,
        "digest":")" + digest('a') + R"(","platform":{"os":"linux","architecture":"amd64"}}]})"),
      test::contains("not an image manifest"));
  CHECK(image::is_index_media_type(image::kDockerManifestList));
  CHECK(image::is_index_media_type(image::kOciIndex));
  CHECK_FALSE(image::is_index_media_type(image::kOciManifest));
}
