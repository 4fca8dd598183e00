// Digests: parsing refuses anything but sha256 with 64 lowercase hex digits; hashing matches
// sha256sum's known answers, fed whole or in pieces.
#include <fstream>

#include "boxlab/image/digest.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace image = boxlab::image;

TEST_CASE("sha256 of known inputs, whole and streamed", "[image][digest]") {
  CHECK(image::sha256_of("abc").str() == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(image::sha256_of("").hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  image::Sha256 streamed;
  streamed.update("a");
  streamed.update("bc");
  CHECK(streamed.size() == 3);
  CHECK(streamed.finish() == image::sha256_of("abc"));
}

TEST_CASE("sha256 of a file", "[image][digest]") {
  test::TempDir dir;
  std::ofstream(dir.path() / "f") << "abc";
  CHECK(image::sha256_of_file(dir.path() / "f") == image::sha256_of("abc"));
}

TEST_CASE("digests are parsed strictly", "[image][digest]") {
  std::string hex(64, 'a');
  CHECK(image::Digest::parse("sha256:" + hex).hex == hex);
  CHECK_THROWS_WITH(image::Digest::parse("sha512:" + hex), test::contains("only sha256"));
  CHECK_THROWS_WITH(image::Digest::parse("sha256:" + hex.substr(1)), test::contains("64 hex digits"));
  CHECK_THROWS_WITH(image::Digest::parse("sha256:" + std::string(64, 'A')), test::contains("0-9 and a-f"));
  CHECK_THROWS_WITH(image::Digest::parse("sha256:../../../../etc/passwd" + std::string(37, 'a')), test::contains("digest"));
  CHECK_THROWS_WITH(image::Digest::parse(hex), test::contains("expected sha256:"));
}
