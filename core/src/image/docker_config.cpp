// Credentials from docker's config.json, the file `docker login` writes.
//
// Each entry of "auths" is keyed by the registry host (Docker Hub's key is the historical
// "https://index.docker.io/v1/") and holds "auth": base64 of "user:password", or the two fields
// apart. The file is read, never written: logging in stays the docker CLI's job.
//
// Interface: stored_credentials
#include "boxlab/image/docker_config.hpp"

#include <openssl/evp.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::image {

namespace {

std::string config_path() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir && *dir) return std::string(dir) + "/config.json";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.docker/config.json";
}

std::string base64_decode(const std::string& text, const std::string& what) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) throw Error(what + ": \"auth\" is not base64");
  out.resize(static_cast<size_t>(n));
  size_t padding = text.size() - text.find_last_not_of('=') - 1;  // EVP_DecodeBlock keeps the pad bytes as zeros
  out.resize(out.size() - std::min(padding, out.size()));
  return out;
}

}  // namespace

std::optional<Credentials> stored_credentials(const std::string& host) {
  std::string path = config_path();
  if (!sys::exists(path)) return std::nullopt;
  nlohmann::json doc = nlohmann::json::parse(sys::read_file(path), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw Error(path + ": not a JSON object");
  if (!doc.contains("auths") || !doc["auths"].is_object()) return std::nullopt;
  for (const auto& [key, entry] : doc["auths"].items()) {
    bool hub = host == "docker.io" && key.find("index.docker.io") != std::string::npos;
    if ((key != host && !hub) || !entry.is_object()) continue;
    if (entry.contains("auth") && entry["auth"].is_string() && !entry["auth"].get<std::string>().empty()) {
      std::string pair = base64_decode(entry["auth"].get<std::string>(), path);
      size_t colon = pair.find(':');
      if (colon == std::string::npos) throw Error(path + ": the \"auth\" of " + key + " is not user:password");
      return Credentials{pair.substr(0, colon), pair.substr(colon + 1)};
    }
    if (entry.contains("username") && entry["username"].is_string())
      return Credentials{entry["username"].get<std::string>(), entry.value("password", "")};
  }
  return std::nullopt;
}

}  // namespace boxlab::image
