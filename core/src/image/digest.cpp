// Digests: the sha256 that names every blob of an image (image-spec descriptor.md).
//
// A digest is checked while the bytes stream in (libcurl's write callback, a file read in
// chunks), never after storing them: a blob whose digest is wrong must not reach the store.
// The hex must be lowercase and exactly 64 digits; anything else is refused, so a digest can
// be used as a file name (blobs/sha256/<hex>) without any path trickery.
//
// Interface: Digest::parse, Sha256::{update,finish}, sha256_of, sha256_of_file
#include "boxlab/image/digest.hpp"

#include <fcntl.h>
#include <openssl/evp.h>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::image {

struct Sha256::State {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~State() { EVP_MD_CTX_free(ctx); }
};

Digest Digest::parse(std::string_view text) {
  auto bad = [&](const std::string& why) { return Error("digest '" + std::string(text) + "': " + why); };
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) throw bad("expected sha256:<64 hex digits>");
  if (text.substr(0, colon) != "sha256") throw bad("only sha256 digests are supported");
  std::string_view hex = text.substr(colon + 1);
  if (hex.size() != 64) throw bad("a sha256 digest has 64 hex digits");
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) throw bad("the hex digits must be 0-9 and a-f");
  return {"sha256", std::string(hex)};
}

Sha256::Sha256() : state_(std::make_unique<State>()) {
  if (!state_->ctx || EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) != 1)
    throw Error("OpenSSL: cannot start a sha256");
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::string_view data) {
  if (EVP_DigestUpdate(state_->ctx, data.data(), data.size()) != 1) throw Error("OpenSSL: sha256 update failed");
  size_ += data.size();
}

Digest Sha256::finish() {
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(state_->ctx, raw, &length) != 1) throw Error("OpenSSL: sha256 final failed");
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < length; ++i) {
    hex += kHex[raw[i] >> 4];
    hex += kHex[raw[i] & 15];
  }
  return {"sha256", hex};
}

Digest sha256_of(std::string_view data) {
  Sha256 hasher;
  hasher.update(data);
  return hasher.finish();
}

Digest sha256_of_file(const std::string& path) {
  sys::UniqueFd fd = sys::open(path, O_RDONLY);
  Sha256 hasher;
  char buffer[1 << 16];
  while (size_t n = sys::read(fd.get(), buffer, sizeof buffer)) hasher.update({buffer, n});
  return hasher.finish();
}

}  // namespace boxlab::image
