// Image references, with Docker's grammar and defaults (distribution/reference, reference.go
// and normalize.go, which `docker pull` uses):
//
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path-component { "/" path-component }
//   domain    := domain-component { "." domain-component } [ ":" port ]
//   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//
// The first component is a registry host only if it contains '.' or ':', is "localhost", or
// has an uppercase letter (a path component never may); otherwise the registry is docker.io,
// and a one-component path on docker.io gets Docker Hub's "library/" prefix. The name
// (registry and path) may be at most 255 characters. A bare 64-hex-digit name is refused, as
// Docker does, because it would be mistaken for an image ID.
//
// Interface: Reference::parse, Reference::{str,familiar,with_tag}
#include "boxlab/image/reference.hpp"

#include <cctype>

#include "boxlab/sys/error.hpp"

namespace boxlab::image {

namespace {

constexpr std::string_view kDockerHub = "docker.io";
constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxTagLength = 128;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_word(char c) { return is_alnum(c) || c == '_'; }

// [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
bool valid_path_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  for (size_t i = 0; i < c.size();) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < c.size() && !is_lower_alnum(c[i])) ++i;
    std::string_view sep = c.substr(start, i - start);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
  }
  return true;
}

// [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool valid_domain_component(std::string_view c) {
  if (c.empty() || !is_alnum(c.front()) || !is_alnum(c.back())) return false;
  for (char ch : c)
    if (!is_alnum(ch) && ch != '-') return false;
  return true;
}

bool valid_domain(std::string_view domain) {
  size_t colon = domain.find(':');
  std::string_view host = domain.substr(0, colon);
  if (colon != std::string_view::npos) {
    std::string_view port = domain.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos) return false;
  }
  for (size_t start = 0;;) {
    size_t dot = host.find('.', start);
    if (!valid_domain_component(host.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > kMaxTagLength || !is_word(tag.front())) return false;
  for (char c : tag)
    if (!is_word(c) && c != '.' && c != '-') return false;
  return true;
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// normalize.go's splitDockerDomain: is the first component a registry host?
bool looks_like_domain(std::string_view first) {
  if (first == "localhost" || first.find_first_of(".:") != std::string_view::npos) return true;
  for (char c : first)
    if (std::isupper(static_cast<unsigned char>(c))) return true;
  return false;
}

}  // namespace

Reference Reference::parse(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Error("invalid reference '" + std::string(text) + "': " + why);
  };
  if (text.empty()) throw bad("it is empty");
  if (is_hex64(text)) throw bad("a 64-hex-digit name is an image ID, not a repository name");
  Reference ref;
  std::string_view rest = text;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    try {
      ref.digest_ = Digest::parse(rest.substr(at + 1));
    } catch (const Error& e) {
      throw bad(e.what());
    }
    rest = rest.substr(0, at);
  }
  // A tag follows the last ':' that comes after the last '/' (a ':' before it is a port).
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    std::string_view tag = rest.substr(colon + 1);
    if (!valid_tag(tag))
      throw bad("tag '" + std::string(tag) + "' must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    ref.tag_ = tag;
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) throw bad("the repository name is empty");
  if (rest.size() > kMaxNameLength) throw bad("the name is longer than 255 characters");
  size_t first_slash = rest.find('/');
  std::string_view path = rest;
  ref.registry_ = kDockerHub;
  if (first_slash != std::string_view::npos && looks_like_domain(rest.substr(0, first_slash))) {
    std::string_view domain = rest.substr(0, first_slash);
    if (!valid_domain(domain)) throw bad("registry '" + std::string(domain) + "' is not a valid host[:port]");
    ref.registry_ = domain == "index.docker.io" ? std::string(kDockerHub) : std::string(domain);
    path = rest.substr(first_slash + 1);
  }
  for (size_t start = 0;;) {
    size_t end = path.find('/', start);
    std::string_view component = path.substr(start, end - start);
    if (!valid_path_component(component)) {
      bool upper = false;
      for (char c : component) upper |= std::isupper(static_cast<unsigned char>(c)) != 0;
      throw bad(upper ? "repository name must be lowercase"
                      : "path component '" + std::string(component) +
                            "' must be lowercase letters and digits separated by '.', '_', '__' or '-'");
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  ref.repository_ = path;
  // LAB 06 BEGIN: normalise as Docker does: a one-component name on Docker Hub is an official image (library/NAME), and no tag and no digest means :latest
  if (ref.registry_ == kDockerHub && path.find('/') == std::string_view::npos)
    ref.repository_ = "library/" + ref.repository_;
  if (ref.tag_.empty() && !ref.digest_) ref.tag_ = "latest";
  // LAB 06 END
  if (ref.name().size() > kMaxNameLength) throw bad("the name is longer than 255 characters");
  return ref;
}

std::string Reference::str() const {
  std::string out = name();
  if (!tag_.empty()) out += ":" + tag_;
  if (digest_) out += "@" + digest_->str();
  return out;
}

std::string Reference::familiar() const {
  std::string out = name();
  if (registry_ == kDockerHub) {
    out = repository_;
    constexpr std::string_view kLibrary = "library/";
    if (out.starts_with(kLibrary) && out.find('/', kLibrary.size()) == std::string::npos)
      out = out.substr(kLibrary.size());
  }
  if (!tag_.empty()) out += ":" + tag_;
  if (digest_) out += "@" + digest_->str();
  return out;
}

Reference Reference::with_tag(std::string tag) const {
  if (!valid_tag(tag)) throw Error("invalid tag '" + tag + "': must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  Reference ref = *this;
  ref.tag_ = std::move(tag);
  ref.digest_.reset();
  return ref;
}

}  // namespace boxlab::image
