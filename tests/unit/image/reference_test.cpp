// References: Docker's normalization (busybox -> docker.io/library/busybox:latest) and its
// grammar (distribution/reference), valid and invalid cases each with a one-line error.
#include "boxlab/image/reference.hpp"

#include <string>

#include "boxlab/sys/error.hpp"
#include "catch.hpp"

namespace image = boxlab::image;

namespace {
const std::string kHex = "4bb46517cac397bdb0bab6eba09b0e1f8e90ddd17cf99662997c3253531136f8";
}

TEST_CASE("references normalize as docker pull does", "[image][reference]") {
  struct Case {
    std::string in, registry, repository, tag, canonical, familiar;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"busybox", "docker.io", "library/busybox", "latest", "docker.io/library/busybox:latest", "busybox:latest"},
           {"busybox:1.36", "docker.io", "library/busybox", "1.36", "docker.io/library/busybox:1.36", "busybox:1.36"},
           {"user/repo:tag", "docker.io", "user/repo", "tag", "docker.io/user/repo:tag", "user/repo:tag"},
           {"docker.io/library/busybox", "docker.io", "library/busybox", "latest", "docker.io/library/busybox:latest",
            "busybox:latest"},
           {"index.docker.io/library/busybox", "docker.io", "library/busybox", "latest",
            "docker.io/library/busybox:latest", "busybox:latest"},
           {"library/a/b", "docker.io", "library/a/b", "latest", "docker.io/library/a/b:latest", "library/a/b:latest"},
           {"localhost/x", "localhost", "x", "latest", "localhost/x:latest", "localhost/x:latest"},
           {"localhost:5000/team/app:v1.0-rc_1", "localhost:5000", "team/app", "v1.0-rc_1",
            "localhost:5000/team/app:v1.0-rc_1", "localhost:5000/team/app:v1.0-rc_1"},
           {"127.0.0.1:5000/busybox", "127.0.0.1:5000", "busybox", "latest", "127.0.0.1:5000/busybox:latest",
            "127.0.0.1:5000/busybox:latest"},
           {"quay.io/a-b/c__d.e", "quay.io", "a-b/c__d.e", "latest", "quay.io/a-b/c__d.e:latest",
            "quay.io/a-b/c__d.e:latest"},
           {"Registry/x", "Registry", "x", "latest", "Registry/x:latest", "Registry/x:latest"},
           {"a---b:_T", "docker.io", "library/a---b", "_T", "docker.io/library/a---b:_T", "a---b:_T"},
       }) {
    INFO(c.in);
    auto ref = image::Reference::parse(c.in);
    CHECK(ref.registry() == c.registry);
    CHECK(ref.repository() == c.repository);
    CHECK(ref.tag() == c.tag);
    CHECK_FALSE(ref.digest());
    CHECK(ref.str() == c.canonical);
    CHECK(ref.familiar() == c.familiar);
    CHECK(image::Reference::parse(ref.str()) == ref);
  }
}

TEST_CASE("references with digests", "[image][reference]") {
  auto by_digest = image::Reference::parse("busybox@sha256:" + kHex);
  CHECK(by_digest.tag().empty());
  CHECK(by_digest.digest()->hex == kHex);
  CHECK(by_digest.str() == "docker.io/library/busybox@sha256:" + kHex);
  CHECK(by_digest.familiar() == "busybox@sha256:" + kHex);
  auto both = image::Reference::parse("host:5000/repo:tag@sha256:" + kHex);
  CHECK(both.registry() == "host:5000");
  CHECK(both.tag() == "tag");
  CHECK(both.str() == "host:5000/repo:tag@sha256:" + kHex);
  CHECK(both.with_tag("v2").str() == "host:5000/repo:v2");
}

TEST_CASE("invalid references are refused with a one-line reason", "[image][reference]") {
  struct Case {
    std::string in, why;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"", "empty"},
           {"BusyBox", "must be lowercase"},
           {"user/Repo", "must be lowercase"},
           {"busybox:", "tag ''"},
           {"busybox:-x", "tag '-x'"},
           {"busybox:a/b", "registry 'busybox:a'"},
           {"busybox:" + std::string(129, 'a'), "tag"},
           {"a__b_c", "ok"},
           {"a..b", "path component 'a..b'"},
           {"a___b", "path component"},
           {"-a", "path component '-a'"},
           {"a-", "path component 'a-'"},
           {"a//b", "path component ''"},
           {"a/", "path component ''"},
           {":tag", "repository name is empty"},
           {"host:port/x", "registry 'host:port'"},
           {"-host.com/x", "registry '-host.com'"},
           {"host.com:/x", "registry 'host.com:'"},
           {"busybox@sha256:abc", "64 hex digits"},
           {"busybox@md5:" + kHex, "only sha256"},
           {kHex, "image ID"},
           {std::string(256, 'a'), "longer than 255"},
           {"registry.example.com/" + std::string(240, 'a'), "longer than 255"},
           {"a b", "path component"},
           {"a@b", "digest"},
       }) {
    INFO(c.in);
    if (c.why == "ok") {
      CHECK_NOTHROW(image::Reference::parse(c.in));
      continue;
    }
    try {
      image::Reference::parse(c.in);
      FAIL("accepted " << c.in);
    } catch (const boxlab::Error& e) {
      std::string what = e.what();
      CHECK(what.find(c.why) != std::string::npos);
      CHECK(what.find("invalid reference '" + c.in + "'") == 0);
      CHECK(what.find('\n') == std::string::npos);
    }
  }
  CHECK_THROWS_WITH(image::Reference::parse("busybox").with_tag("no/slash"), Catch::Matchers::StartsWith("invalid tag"));
}
