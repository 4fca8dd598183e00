// WWW-Authenticate parsing with header values real registries send (Docker Hub, GHCR, Quay,
// GCR, Harbor, ECR, distribution's htpasswd), quoted strings with escapes and commas, several
// challenges in one header, and malformed headers refused with the offset.
#include "boxlab/image/auth.hpp"
#include "boxlab/image/http.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"

namespace image = boxlab::image;

TEST_CASE("Bearer challenges from real registries", "[image][auth]") {
  auto hub = image::parse_challenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
  REQUIRE(hub.size() == 1);
  CHECK(hub[0].scheme == "bearer");
  CHECK(hub[0].param("realm") == "https://auth.docker.io/token");
  CHECK(hub[0].param("service") == "registry.docker.io");
  CHECK(hub[0].param("scope") == "repository:library/busybox:pull");

  auto ghcr = image::parse_challenges(R"(Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull")");
  CHECK(ghcr.at(0).param("realm") == "https://ghcr.io/token");

  auto quay = image::parse_challenges(R"(Bearer realm="https://quay.io/v2/auth",service="quay.io")");
  CHECK(quay.at(0).param("service") == "quay.io");
  CHECK(quay.at(0).param("scope").empty());

  // A push scope contains a comma inside the quotes; error= comes from an insufficient scope.
  auto push = image::parse_challenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push",error="insufficient_scope")");
  REQUIRE(push.size() == 1);
  CHECK(push[0].param("scope") == "repository:samalba/my-app:pull,push");
  CHECK(push[0].param("error") == "insufficient_scope");

  auto harbor = image::parse_challenges(
      R"(Bearer realm="https://harbor.example.com/service/token",service="harbor-registry",scope="repository:library/nginx:pull")");
  CHECK(harbor.at(0).param("service") == "harbor-registry");
}

TEST_CASE("Basic challenges and several challenges in one header", "[image][auth]") {
  auto basic = image::parse_challenges(R"(Basic realm="Registry Realm")");
  REQUIRE(basic.size() == 1);
  CHECK(basic[0].scheme == "basic");
  CHECK(basic[0].param("realm") == "Registry Realm");

  auto ecr = image::parse_challenges(R"(Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com")");
  CHECK(ecr.at(0).param("service") == "ecr.amazonaws.com");

  auto two = image::parse_challenges(R"(Basic realm="simple", Bearer realm="https://auth.example/token", service="example")");
  REQUIRE(two.size() == 2);
  CHECK(two[0].scheme == "basic");
  CHECK(two[0].param("realm") == "simple");
  CHECK(two[1].scheme == "bearer");
  CHECK(two[1].param("service") == "example");

  auto negotiate = image::parse_challenges("Negotiate abc123==, Basic realm=plain");
  REQUIRE(negotiate.size() == 2);
  CHECK(negotiate[0].token68 == "abc123==");
  CHECK(negotiate[1].param("realm") == "plain");

  auto bare = image::parse_challenges("Bearer");
  REQUIRE(bare.size() == 1);
  CHECK(bare[0].params.empty());
}

TEST_CASE("quoted strings, escapes, case and spacing", "[image][auth]") {
  auto c = image::parse_challenges(R"(BEARER Realm = "https://a/token" ,  Service="say \"hi\" \\ there",scope=token-value)");
  REQUIRE(c.size() == 1);
  CHECK(c[0].scheme == "bearer");
  CHECK(c[0].param("REALM") == "https://a/token");
  CHECK(c[0].param("service") == R"(say "hi" \ there)");
  CHECK(c[0].param("scope") == "token-value");
}

TEST_CASE("malformed challenges are refused", "[image][auth]") {
  CHECK_THROWS_WITH(image::parse_challenges(""), test::contains("no challenge"));
  CHECK_THROWS_WITH(image::parse_challenges(R"(Bearer realm="unterminated)"), test::contains("unterminated quoted string"));
  CHECK_THROWS_WITH(image::parse_challenges(R"(Bearer realm="a" service="b")"), test::contains("expected ','"));
  CHECK_THROWS_WITH(image::parse_challenges(R"(Bearer realm="x\)"), test::contains("WWW-Authenticate"));
  CHECK_THROWS_WITH(image::parse_challenges("\"quoted\" realm=x"), test::contains("expected an auth scheme"));
}

TEST_CASE("basic credentials, base64 and URL encoding", "[image][auth]") {
  CHECK(image::basic_authorization({"alice", "s3cret"}) == "Basic YWxpY2U6czNjcmV0");
  CHECK(image::basic_authorization({"Aladdin", "open sesame"}) == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  CHECK(boxlab::image::http::base64("") == "");
  CHECK(boxlab::image::http::base64("f") == "Zg==");
  CHECK(boxlab::image::http::base64("fo") == "Zm8=");
  CHECK(boxlab::image::http::base64("foo") == "Zm9v");
  CHECK(boxlab::image::http::url_encode("repository:library/busybox:pull,push") ==
        "repository%3Alibrary%2Fbusybox%3Apull%2Cpush");
  CHECK(image::is_loopback_host("127.0.0.1:5000"));
  CHECK(image::is_loopback_host("localhost"));
  CHECK(image::is_loopback_host("[::1]:5000"));
  CHECK_FALSE(image::is_loopback_host("127.0.0.1.example.com"));
  CHECK_FALSE(image::is_loopback_host("registry-1.docker.io"));
}

TEST_CASE("token realms must be https off the loopback host", "[image][auth]") {
  auto c = image::parse_challenges(R"(Bearer realm="http://auth.example.com/token",service="x")");
  CHECK_THROWS_WITH(image::fetch_token(c[0], {}, std::nullopt), test::contains("only https realms are trusted"));
  auto none = image::parse_challenges(R"(Bearer service="x")");
  CHECK_THROWS_WITH(image::fetch_token(none[0], {}, std::nullopt), test::contains("without a realm"));
}
