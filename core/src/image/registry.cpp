// The OCI distribution API, client side (distribution-spec spec.md; Docker's registry v2).
//
// Pull is two kinds of GET: /v2/<name>/manifests/<reference> and /v2/<name>/blobs/<digest>.
// Push is the reverse: a blob is uploaded in two steps (POST /v2/<name>/blobs/uploads/ gives a
// Location, PUT <location>?digest=… sends the bytes), and a manifest is PUT under a tag once
// every blob it names is there. A HEAD first skips blobs the registry has already.
//
// Trust comes from digests, not from the connection. A manifest asked for by digest must hash
// to it; a blob is hashed while it streams and must match its digest and size before it is
// renamed to its final name (a truncated or tampered blob never reaches the store). A manifest
// is capped at 4 MiB, as containerd does, so a hostile registry cannot make us buffer gigabytes;
// a blob stream is cut as soon as it passes the expected size.
//
// Authentication is one loop in send(): a 401's WWW-Authenticate challenge leads to a Bearer
// token (auth.cpp) or Basic credentials, cached per scope ("repository:library/busybox:pull"),
// and the request is retried once.
//
// Interface: Registry::{ping,get_manifest,stream_blob,fetch_blob,blob_exists,push_blob,push_manifest}
#include "boxlab/image/registry.hpp"

#include <fcntl.h>

#include <nlohmann/json.hpp>

#include "boxlab/image/platform.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/scope_exit.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/unique_fd.hpp"

namespace boxlab::image {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// distribution-spec: <name> is path components of [a-z0-9]+ joined by ., _, __ or -+.
void check_repository(const std::string& repository) {
  auto bad = [&](const std::string& why) { return Error("repository '" + repository + "': " + why); };
  if (repository.empty() || repository.size() > 255) throw bad("must be 1 to 255 characters");
  size_t start = 0;
  for (;;) {
    size_t slash = repository.find('/', start);
    std::string part = repository.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || !is_lower_alnum(part.front()) || !is_lower_alnum(part.back()))
      throw bad("each path component must start and end with a lowercase letter or digit");
    for (char c : part)
      if (!is_lower_alnum(c) && c != '.' && c != '_' && c != '-')
        throw bad("only lowercase letters, digits, '.', '_', '-' and '/' are allowed");
    if (part.find("..") != std::string::npos) throw bad("'..' is not allowed");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
}

bool is_digest_reference(const std::string& reference) { return reference.find(':') != std::string::npos; }

// A tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}) or a digest.
void check_reference(const std::string& reference) {
  if (is_digest_reference(reference)) {
    with_context("reference", [&] { Digest::parse(reference); });
    return;
  }
  auto word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; };
  bool ok = !reference.empty() && reference.size() <= 128 && word(reference.front());
  for (char c : reference) ok = ok && (word(c) || c == '.' || c == '-');
  if (!ok) throw Error("tag '" + reference + "': a tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'");
}

// "GET url: HTTP 404 Not Found: MANIFEST_UNKNOWN: manifest unknown" from the registry's
// error body ({"errors":[{"code":…,"message":…}]}), or the raw excerpt when it is not one.
void expect(const http::Response& response, std::initializer_list<long> ok) {
  for (long code : ok)
    if (response.status == code) return;
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_discarded() && body.is_object() && body.contains("errors") && body["errors"].is_array()) {
    std::string text;
    for (const auto& e : body["errors"]) {
      if (!e.is_object()) continue;
      std::string code = e.contains("code") && e["code"].is_string() ? e["code"].get<std::string>() : "";
      std::string message = e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
      text += (text.empty() ? "" : "; ") + code + (message.empty() ? "" : ": " + message);
    }
    if (!text.empty()) {
      std::string status = "HTTP " + std::to_string(response.status) + (response.reason.empty() ? "" : " " + response.reason);
      throw Error(response.method + " " + response.url + ": " + status + ": " + text);
    }
  }
  response.expect(ok);
}

std::string media_type_of(const http::Response& response) {
  std::string type = response.header("Content-Type").value_or("");
  if (size_t semi = type.find(';'); semi != std::string::npos) type.erase(semi);
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type;
}

bool is_known_media_type(std::string_view type) { return is_index_media_type(type) || is_manifest_media_type(type); }

void remove_quietly(const std::string& path) noexcept {
  try {
    sys::unlink(path);
  } catch (...) {
  }
}

std::string hex(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

Registry::Registry(std::string host, RegistryOptions options) : host_(std::move(host)), options_(std::move(options)) {
  if (host_ == "docker.io" || host_ == "index.docker.io") host_ = "registry-1.docker.io";
  if (host_.empty() || host_.find_first_of("/?#@ \t") != std::string::npos)
    throw Error("registry host '" + host_ + "': expected host or host:port");
  bool plain = options_.plain_http || is_loopback_host(host_);
  base_url_ = (plain ? "http://" : "https://") + host_;
}

std::string Registry::url(const std::string& repository, const std::string& kind, const std::string& reference) const {
  check_repository(repository);
  return base_url_ + "/v2/" + repository + "/" + kind + "/" + reference;
}

void Registry::authenticate(const http::Response& refused, const std::string& scope) {
  std::vector<std::string> headers = refused.headers_named("WWW-Authenticate");
  if (headers.empty()) throw Error(refused.method + " " + refused.url + ": HTTP 401 without a WWW-Authenticate challenge");
  std::vector<Challenge> challenges;
  for (const auto& h : headers)
    for (auto& c : parse_challenges(h)) challenges.push_back(std::move(c));
  for (const auto& c : challenges) {
    if (c.scheme != "bearer") continue;
    std::vector<std::string> scopes;
    if (!scope.empty()) scopes.push_back(scope);
    if (!c.param("scope").empty() && c.param("scope") != scope) scopes.push_back(c.param("scope"));
    authorization_[scope] = "Bearer " + fetch_token(c, scopes, options_.credentials);
    return;
  }
  for (const auto& c : challenges) {
    if (c.scheme != "basic") continue;
    if (!options_.credentials)
      throw Error(host_ + " requires a user name and password (Basic realm \"" + c.param("realm") + "\")");
    authorization_[""] = basic_authorization(*options_.credentials);
    return;
  }
  throw Error(host_ + ": no supported authentication scheme in the challenge (Bearer or Basic): " + headers.front());
}

http::Response Registry::send(http::Request request, const std::string& scope) {
  request.connect_timeout_seconds = options_.connect_timeout_seconds;
  request.stall_timeout_seconds = options_.stall_timeout_seconds;
  bool same_host = request.url.rfind(base_url_ + "/", 0) == 0;
  size_t plain_headers = request.headers.size();
  for (int attempt = 0;; ++attempt) {
    request.headers.resize(plain_headers);
    if (same_host) {
      auto it = authorization_.find(scope);
      if (it == authorization_.end()) it = authorization_.find("");
      if (it != authorization_.end()) request.headers.push_back("Authorization: " + it->second);
    }
    http::Response response = http::perform(request);
    if (response.status != 401 || attempt == 1 || !same_host) return response;
    with_context(request.method + " " + request.url + ": authenticate", [&] { authenticate(response, scope); });
  }
}

void Registry::ping() {
  http::Request request;
  request.url = base_url_ + "/v2/";
  with_context("ping registry " + host_, [&] {
    http::Response response = http::perform(request);
    if (response.status == 401 && !response.header("WWW-Authenticate"))
      throw Error(request.url + ": HTTP 401 without a challenge: not a registry?");
    expect(response, {200, 401});
  });
}

Manifest Registry::get_manifest(const std::string& repository, const std::string& reference) {
  return with_context("get manifest " + repository + ":" + reference + " from " + host_, [&] {
    check_reference(reference);
    http::Request request;
    request.url = url(repository, "manifests", reference);
    request.headers.push_back("Accept: " + std::string(kOciManifest) + ", " + std::string(kOciIndex) + ", " +
                              std::string(kDockerManifest) + ", " + std::string(kDockerManifestList));
    // The cap applies while the body streams, so an oversized manifest is never buffered whole.
    std::string bytes;
    request.on_body = [&](std::string_view chunk) {
      if (bytes.size() + chunk.size() > options_.max_manifest_size)
        throw Error("the manifest is larger than the limit of " + std::to_string(options_.max_manifest_size) + " bytes");
      bytes.append(chunk);
    };
    request.max_body = 1u << 20;  // an error page
    http::Response response = send(request, "repository:" + repository + ":pull");
    expect(response, {200});

    Manifest manifest;
    manifest.bytes = std::move(bytes);
    manifest.digest = sha256_of(manifest.bytes);
    if (is_digest_reference(reference) && manifest.digest != Digest::parse(reference))
      throw Error("the manifest's bytes hash to " + manifest.digest.str() + ", not to the digest asked for");
    if (auto header = response.header("Docker-Content-Digest"); header && header->rfind("sha256:", 0) == 0) {
      if (Digest::parse(*header) != manifest.digest)
        throw Error("the registry says the digest is " + *header + " but the bytes hash to " + manifest.digest.str());
    }

    nlohmann::json json = nlohmann::json::parse(manifest.bytes, nullptr, false);
    if (json.is_discarded() || !json.is_object()) throw Error("the manifest is not a JSON object");
    std::string declared = json.contains("mediaType") && json["mediaType"].is_string() ? json["mediaType"].get<std::string>() : "";
    std::string sent = media_type_of(response);
    if (is_known_media_type(sent)) {
      if (!declared.empty() && declared != sent)
        throw Error("the registry sent Content-Type " + sent + " but the manifest says it is " + declared);
      manifest.media_type = sent;
    } else if (!declared.empty()) {
      manifest.media_type = declared;
    } else if (json.contains("manifests")) {
      manifest.media_type = kOciIndex;
    } else if (json.contains("config") && json.contains("layers")) {
      manifest.media_type = kOciManifest;
    }
    if (!is_known_media_type(manifest.media_type))
      throw Error("unsupported manifest media type '" + (manifest.media_type.empty() ? sent : manifest.media_type) +
                  "' (expected an OCI or Docker schema2 manifest or index)");
    return manifest;
  });
}

bool Registry::blob_exists(const std::string& repository, const Digest& digest) {
  return with_context("check blob " + digest.str() + " in " + host_ + "/" + repository, [&] {
    http::Request request;
    request.method = "HEAD";
    request.url = url(repository, "blobs", digest.str());
    http::Response response = send(request, "repository:" + repository + ":pull");
    expect(response, {200, 404});
    return response.status == 200;
  });
}

void Registry::stream_blob(const std::string& repository, const Digest& digest, uint64_t expected_size,
                           const BlobSink& sink, const ProgressFn& progress) {
  uint64_t received = 0;
  http::Request request;
  request.url = url(repository, "blobs", digest.str());
  request.on_body = [&](std::string_view chunk) {
    if (received + chunk.size() > expected_size)
      throw Error("the blob is larger than the expected " + std::to_string(expected_size) + " bytes");
    received += chunk.size();
    sink(chunk);
    if (progress) progress(received, expected_size);
  };
  http::Response response = send(request, "repository:" + repository + ":pull");
  expect(response, {200});
  if (received != expected_size)
    throw Error("the blob has " + std::to_string(received) + " bytes, expected " + std::to_string(expected_size));
}

void Registry::fetch_blob(const std::string& repository, const Digest& digest, uint64_t expected_size,
                          const std::string& destination, const ProgressFn& progress) {
  with_context("fetch blob " + digest.str() + " from " + host_ + "/" + repository, [&] {
    std::string temporary = destination + ".partial-" + hex(sys::getrandom(6));
    sys::UniqueFd out = sys::open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    sys::ScopeExit cleanup([&] { remove_quietly(temporary); });
    Sha256 hash;
    stream_blob(repository, digest, expected_size, [&](std::string_view chunk) {
      hash.update(chunk);
      sys::write_all(out.get(), chunk);
    }, progress);
    Digest got = hash.finish();
    if (got != digest) throw Error("the blob's bytes hash to " + got.str() + ": digest mismatch");
    sys::fsync(out.get());
    out.reset();
    sys::rename(temporary, destination);
    cleanup.release();
  });
}

bool Registry::push_blob(const std::string& repository, const Digest& digest, const std::string& source) {
  if (blob_exists(repository, digest)) return false;
  with_context("push blob " + digest.str() + " to " + host_ + "/" + repository, [&] {
    Digest actual = sha256_of_file(source);
    if (actual != digest) throw Error(source + " hashes to " + actual.str() + ", not to the digest to push");
    std::string scope = "repository:" + repository + ":pull,push";
    http::Request start;
    start.method = "POST";
    start.url = url(repository, "blobs", "uploads/");
    http::Response started = send(start, scope);
    expect(started, {202});
    std::string location = started.header("Location").value_or("");
    if (location.empty()) throw Error("the registry started an upload without a Location");
    if (location.front() == '/') {
      location = base_url_ + location;
    } else if (location.rfind(base_url_ + "/", 0) != 0) {
      throw Error("the upload location " + location + " is not on " + base_url_);
    }
    http::Request put;
    put.method = "PUT";
    put.url = location + (location.find('?') == std::string::npos ? "?" : "&") + "digest=" + http::url_encode(digest.str());
    put.body_file = source;
    put.headers.push_back("Content-Type: application/octet-stream");
    put.stall_timeout_seconds = options_.stall_timeout_seconds;
    expect(send(put, scope), {201});
  });
  return true;
}

Digest Registry::push_manifest(const std::string& repository, const std::string& reference,
                               const std::string& media_type, const std::string& bytes) {
  return with_context("push manifest " + repository + ":" + reference + " to " + host_, [&] {
    check_reference(reference);
    if (!is_known_media_type(media_type)) throw Error("unsupported manifest media type '" + media_type + "'");
    Digest digest = sha256_of(bytes);
    if (is_digest_reference(reference) && Digest::parse(reference) != digest)
      throw Error("the manifest hashes to " + digest.str() + ", not to the digest it is pushed under");
    http::Request request;
    request.method = "PUT";
    request.url = url(repository, "manifests", reference);
    request.body = bytes;
    request.headers.push_back("Content-Type: " + media_type);
    http::Response response = send(request, "repository:" + repository + ":pull,push");
    expect(response, {201});
    if (auto header = response.header("Docker-Content-Digest"); header && header->rfind("sha256:", 0) == 0) {
      if (Digest::parse(*header) != digest)
        throw Error("the registry stored it as " + *header + " but the bytes hash to " + digest.str());
    }
    return digest;
  });
}

}  // namespace boxlab::image
