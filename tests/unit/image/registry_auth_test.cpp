// The registry client's authentication against a tiny registry written in Python (http.server
// on 127.0.0.1): it answers 401 with a Bearer (or Basic) challenge, issues a token for the
// right Basic credentials, and serves one manifest and two blobs, one of them with tampered
// bytes. Shows the 401 -> challenge -> token -> retry flow and the digest check of a blob
// whose bytes are wrong, which a real registry never serves.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "boxlab/image/digest.hpp"
#include "boxlab/image/platform.hpp"
#include "boxlab/image/registry.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/process.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace image = boxlab::image;
namespace stdfs = std::filesystem;

namespace {

const char kServer[] = R"PY(
import base64, hashlib, http.server, json, sys, urllib.parse
mode, port_file, log_file = sys.argv[1], sys.argv[2], sys.argv[3]
TOKEN = "tok-123"
BASIC = "Basic " + base64.b64encode(b"alice:s3cret").decode()
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + "0" * 64, "size": 2},
    "layers": []}).encode()
GOOD = b"hello blob\n"
BAD_NAME = hashlib.sha256(b"what the digest promises").hexdigest()
BLOBS = {"sha256:" + hashlib.sha256(GOOD).hexdigest(): GOOD, "sha256:" + BAD_NAME: b"tampered bytes!!"}

class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def record(self, line):
        with open(log_file, "a") as f:
            f.write(line + "\n")
    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
    def authorized(self):
        got = self.headers.get("Authorization", "")
        return got == ("Bearer " + TOKEN if mode == "bearer" else BASIC)
    def challenge(self):
        port = self.server.server_address[1]
        if mode == "bearer":
            value = ('Bearer realm="http://127.0.0.1:%d/token",service="fake \\"registry\\"",'
                     'scope="repository:demo/app:pull"' % port)
        else:
            value = 'Basic realm="fake registry"'
        err = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}).encode()
        self.reply(401, err, [("WWW-Authenticate", value), ("Content-Type", "application/json")])
    def do_HEAD(self):
        self.do_GET()
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/token":
            q = urllib.parse.parse_qs(url.query)
            self.record("token service=%s scope=%s auth=%s" % (q.get("service"), q.get("scope"),
                                                               self.headers.get("Authorization", "-")))
            if self.headers.get("Authorization") != BASIC:
                return self.reply(401, b'{"details":"incorrect username or password"}')
            return self.reply(200, json.dumps({"access_token": TOKEN, "expires_in": 300}).encode())
        if url.path == "/v2/":
            return self.reply(200, b"{}") if self.authorized() else self.challenge()
        if not self.authorized():
            self.record("401 " + url.path)
            return self.challenge()
        self.record("200 " + url.path)
        if url.path == "/v2/demo/app/manifests/latest":
            return self.reply(200, MANIFEST, [("Content-Type", "application/vnd.oci.image.manifest.v1+json")])
        for digest, data in BLOBS.items():
            if url.path == "/v2/demo/app/blobs/" + digest:
                return self.reply(200, data, [("Content-Type", "application/octet-stream")])
        self.reply(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"no such thing"}]}')

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os; os.rename(port_file + ".tmp", port_file)
server.serve_forever()
)PY";

// The Python registry, running until destroyed (Child kills and reaps it).
class FakeRegistry {
 public:
  explicit FakeRegistry(const std::string& mode) {
    std::ofstream(dir_.path() / "server.py") << kServer;
    boxlab::sys::SpawnOptions options;
    options.args = {"python3", (dir_.path() / "server.py").string(), mode, (dir_.path() / "port").string(),
                    (dir_.path() / "log").string()};
    child_.emplace(boxlab::sys::spawn(options));
    for (int i = 0; i < 200 && !stdfs::exists(dir_.path() / "port"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    REQUIRE(stdfs::exists(dir_.path() / "port"));
    port_ = test::slurp(dir_.path() / "port");
  }
  std::string host() const { return "127.0.0.1:" + port_; }
  std::string log() const { return stdfs::exists(dir_.path() / "log") ? test::slurp(dir_.path() / "log") : ""; }
  const stdfs::path& dir() const { return dir_.path(); }

 private:
  test::TempDir dir_;
  std::optional<boxlab::sys::Child> child_;
  std::string port_;
};

image::RegistryOptions alice() {
  image::RegistryOptions options;
  options.credentials = image::Credentials{"alice", "s3cret"};
  return options;
}

}  // namespace

TEST_CASE("401, Bearer challenge, token from the realm, retry", "[image][registry][auth]") {
  FakeRegistry fake("bearer");
  image::Registry client(fake.host(), alice());
  client.ping();  // 401 with a challenge is a registry that is there
  image::Manifest m = client.get_manifest("demo/app", "latest");
  CHECK(m.media_type == image::kOciManifest);
  std::string log = fake.log();
  // The service had escaped quotes; the scope is ours (and the challenge's, the same here).
  CHECK_THAT(log, test::contains("token service=['fake \"registry\"'] scope=['repository:demo/app:pull']"));
  CHECK_THAT(log, test::contains("auth=Basic YWxpY2U6czNjcmV0"));
  CHECK_THAT(log, test::contains("401 /v2/demo/app/manifests/latest\ntoken service="));
  CHECK_THAT(log, test::contains("YWxpY2U6czNjcmV0\n200 /v2/demo/app/manifests/latest"));

  // The token is cached for the scope: the blob needs no new challenge.
  test::TempDir out;
  std::string good = "hello blob\n";
  client.fetch_blob("demo/app", image::sha256_of(good), good.size(), (out.path() / "blob").string());
  CHECK(test::slurp(out.path() / "blob") == good);
  log = fake.log();
  CHECK(log.find("401 /v2/demo/app/blobs/") == std::string::npos);

  SECTION("a blob whose bytes do not match its digest is refused and leaves nothing") {
    test::TempDir empty;
    auto promised = image::sha256_of("what the digest promises");
    CHECK_THROWS_WITH(client.fetch_blob("demo/app", promised, 16, (empty.path() / "blob").string()),
                      test::contains("digest mismatch") && test::contains(promised.str()));
    CHECK(std::distance(stdfs::directory_iterator(empty.path()), stdfs::directory_iterator()) == 0);
  }
  SECTION("without credentials the token endpoint refuses, and the error says where") {
    image::Registry anonymous(fake.host());
    CHECK_THROWS_WITH(anonymous.get_manifest("demo/app", "latest"),
                      test::contains("get a token from http://127.0.0.1:") && test::contains("HTTP 401"));
  }
  SECTION("registry errors are reported with their code") {
    CHECK_THROWS_WITH(client.get_manifest("demo/app", "other"), test::contains("NAME_UNKNOWN: no such thing"));
  }
}

TEST_CASE("401, Basic challenge, credentials, retry", "[image][registry][auth]") {
  FakeRegistry fake("basic");
  image::Registry client(fake.host(), alice());
  CHECK(client.get_manifest("demo/app", "latest").media_type == image::kOciManifest);
  CHECK_THAT(fake.log(), test::contains("200 /v2/demo/app/manifests/latest"));
  image::Registry anonymous(fake.host());
  CHECK_THROWS_WITH(anonymous.get_manifest("demo/app", "latest"),
                    test::contains("requires a user name and password") && test::contains("fake registry"));
}
