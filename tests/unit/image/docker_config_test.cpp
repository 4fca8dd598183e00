// Credentials from docker's config.json ($DOCKER_CONFIG/config.json): "auth" is base64 of
// user:password (the password may hold colons), Docker Hub's legacy key matches docker.io, a
// missing file means none, and a malformed one is an error naming it.
#include "boxlab/image/docker_config.hpp"

#include <cstdlib>
#include <fstream>
#include <optional>

#include "catch.hpp"
#include "test_support.hpp"

namespace image = boxlab::image;

namespace {

// Points DOCKER_CONFIG at a temp dir for the scope, then restores what was there.
class DockerConfigDir {
 public:
  DockerConfigDir() {
    if (const char* old = std::getenv("DOCKER_CONFIG")) saved_ = old;
    ::setenv("DOCKER_CONFIG", dir_.path().c_str(), 1);
  }
  ~DockerConfigDir() {
    if (saved_) ::setenv("DOCKER_CONFIG", saved_->c_str(), 1);
    else ::unsetenv("DOCKER_CONFIG");
  }
  void write(const std::string& json) const { std::ofstream(dir_.path() / "config.json") << json; }
  std::string file() const { return (dir_.path() / "config.json").string(); }

 private:
  test::TempDir dir_;
  std::optional<std::string> saved_;
};

}  // namespace

TEST_CASE("stored_credentials decodes auth, keeping colons in the password", "[image][docker_config]") {
  DockerConfigDir config;
  config.write(R"({"auths":{"127.0.0.1:5000":{"auth":"dXNlcjpwYTpzcw=="},
                            "ghcr.io":{"username":"octo","password":"token"}}})");
  std::optional<image::Credentials> local = image::stored_credentials("127.0.0.1:5000");
  REQUIRE(local);
  CHECK(local->username == "user");
  CHECK(local->password == "pa:ss");
  std::optional<image::Credentials> ghcr = image::stored_credentials("ghcr.io");
  REQUIRE(ghcr);
  CHECK(ghcr->username == "octo");
  CHECK(ghcr->password == "token");
  CHECK_FALSE(image::stored_credentials("quay.io"));
  CHECK_FALSE(image::stored_credentials("docker.io"));
}

TEST_CASE("Docker Hub's legacy key matches docker.io", "[image][docker_config]") {
  DockerConfigDir config;
  config.write(R"({"auths":{"https://index.docker.io/v1/":{"auth":"aHViOnNlY3JldA=="}}})");  // hub:secret
  std::optional<image::Credentials> hub = image::stored_credentials("docker.io");
  REQUIRE(hub);
  CHECK(hub->username == "hub");
  CHECK(hub->password == "secret");
  CHECK_FALSE(image::stored_credentials("index.docker.io.example"));
}

TEST_CASE("a missing config is no credentials; a malformed one names the file", "[image][docker_config]") {
  DockerConfigDir config;
  CHECK_FALSE(image::stored_credentials("127.0.0.1:5000"));
  config.write("{\"auths\": {");
  CHECK_THROWS_WITH(image::stored_credentials("127.0.0.1:5000"), test::contains(config.file()));
  config.write(R"({"auths":{"127.0.0.1:5000":{"auth":"bm9jb2xvbg=="}}})");  // "nocolon"
  CHECK_THROWS_WITH(image::stored_credentials("127.0.0.1:5000"), test::contains("not user:password"));
}

TEST_CASE("DOCKER_CONFIG is restored after the tests", "[image][docker_config]") {
  const char* before = std::getenv("DOCKER_CONFIG");
  std::string saved = before ? before : "<unset>";
  { DockerConfigDir config; }
  const char* after = std::getenv("DOCKER_CONFIG");
  CHECK((after ? after : "<unset>") == saved);
}
