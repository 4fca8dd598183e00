// Registry authentication (distribution spec "Token Authentication", RFC 7235 challenges).
//
// A 401 from a registry carries WWW-Authenticate. Its grammar is awkward because a comma
// separates both the parameters of one challenge and the challenges themselves:
//   Basic realm="x", Bearer realm="y", service="z"
// so after a comma, a token followed by '=' is another parameter, and a token followed by a
// space or the end is the next scheme. Values are tokens or quoted strings in which a
// backslash escapes the next character; a scope such as "repository:a/b:pull,push" contains a
// comma, which is why the quoted form must be parsed and not split.
//
// The token flow: GET the realm with service and scope as query parameters (and Basic
// credentials if the user has some), read "token" (Docker) or "access_token" (OAuth2) from the
// JSON answer, and send "Authorization: Bearer <token>" on the retried request.
//
// Interface: parse_challenges, basic_authorization, fetch_token, is_loopback_host
#include "boxlab/image/auth.hpp"

#include <nlohmann/json.hpp>

#include "boxlab/image/http.hpp"
#include "boxlab/sys/error.hpp"

namespace boxlab::image {
namespace {

bool is_tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  std::vector<Challenge> parse() {
    std::vector<Challenge> out;
    skip_separators();
    while (!done()) {
      Challenge c;
      c.scheme = lower(token("an auth scheme"));
      skip_spaces();
      parse_params(c);
      out.push_back(std::move(c));
      skip_separators();
    }
    if (out.empty()) fail("no challenge");
    return out;
  }

 private:
  // After the scheme: token68, or a list of name=value, up to the next challenge.
  void parse_params(Challenge& c) {
    if (done() || peek() == ',') return;
    size_t start = i_;
    std::string name = token("a parameter");
    skip_spaces();
    if (done() || peek() != '=' || token68_tail(start)) {
      // token68: the token itself plus any trailing '='.
      i_ = start;
      while (!done() && (is_tchar(peek()) || peek() == '/')) ++i_;
      while (!done() && peek() == '=') ++i_;
      c.token68 = std::string(s_.substr(start, i_ - start));
      return;
    }
    for (;;) {
      ++i_;  // '='
      skip_spaces();
      std::string value = !done() && peek() == '"' ? quoted() : token("a parameter value");
      c.params[lower(name)] = value;
      skip_spaces();
      if (done()) return;
      if (peek() != ',') fail("expected ',' after a parameter");
      // Look past the commas: "name =" continues this challenge, anything else starts the next.
      size_t save = i_;
      skip_separators();
      if (done()) return;
      size_t name_start = i_;
      while (!done() && is_tchar(peek())) ++i_;
      if (i_ == name_start) fail("expected a parameter or a scheme");
      std::string next(s_.substr(name_start, i_ - name_start));
      skip_spaces();
      if (done() || peek() != '=') {
        i_ = save;
        return;
      }
      name = next;
    }
  }

  // "abc==" after a scheme is token68, not a parameter named abc with an empty value: a '='
  // followed by another '=', a comma or the end is a token68 tail.
  bool token68_tail(size_t) const {
    size_t j = i_ + 1;
    while (j < s_.size() && s_[j] == '=') ++j;
    size_t k = j;
    while (k < s_.size() && (s_[k] == ' ' || s_[k] == '\t')) ++k;
    return j > i_ + 1 || k == s_.size() || s_[k] == ',';
  }

  std::string quoted() {
    ++i_;  // opening quote
    std::string out;
    while (!done() && peek() != '"') {
      if (peek() == '\\') {
        ++i_;
        if (done()) fail("a backslash at the end of a quoted string");
      }
      out += s_[i_++];
    }
    if (done()) fail("an unterminated quoted string");
    ++i_;
    return out;
  }

  std::string token(const char* what) {
    size_t start = i_;
    while (!done() && is_tchar(peek())) ++i_;
    if (i_ == start) fail(std::string("expected ") + what);
    return std::string(s_.substr(start, i_ - start));
  }

  void skip_spaces() {
    while (!done() && (peek() == ' ' || peek() == '\t')) ++i_;
  }
  void skip_separators() {
    while (!done() && (peek() == ' ' || peek() == '\t' || peek() == ',')) ++i_;
  }
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return s_[i_]; }
  [[noreturn]] void fail(const std::string& why) const {
    throw Error("WWW-Authenticate '" + std::string(s_) + "': " + why + " at offset " + std::to_string(i_));
  }

  std::string_view s_;
  size_t i_ = 0;
};

// The host of an absolute URL ("https://auth.docker.io/token" -> "auth.docker.io").
std::string url_host(const std::string& url) {
  size_t start = url.find("://");
  if (start == std::string::npos) return "";
  start += 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  return authority;
}

}  // namespace

std::string Challenge::param(const std::string& name) const {
  auto it = params.find(lower(name));
  return it == params.end() ? std::string() : it->second;
}

std::vector<Challenge> parse_challenges(std::string_view header) { return Parser(header).parse(); }

std::string basic_authorization(const Credentials& credentials) {
  return "Basic " + http::base64(credentials.username + ":" + credentials.password);
}

bool is_loopback_host(std::string_view host) {
  auto strip_port = [](std::string_view h) {
    if (!h.empty() && h.front() == '[') {
      size_t close = h.find(']');
      return close == std::string_view::npos ? h : h.substr(0, close + 1);
    }
    size_t colon = h.find(':');
    return colon == std::string_view::npos ? h : h.substr(0, colon);
  };
  std::string_view name = strip_port(host);
  return name == "127.0.0.1" || name == "localhost" || name == "[::1]";
}

std::string fetch_token(const Challenge& challenge, const std::vector<std::string>& scopes,
                        const std::optional<Credentials>& credentials) {
  std::string realm = challenge.param("realm");
  if (realm.empty()) throw Error("Bearer challenge without a realm: the registry did not say where to get a token");
  bool https = realm.rfind("https://", 0) == 0;
  bool http_ok = realm.rfind("http://", 0) == 0 && is_loopback_host(url_host(realm));
  if (!https && !http_ok)
    throw Error("token realm '" + realm + "': only https realms are trusted (plain http only on 127.0.0.1/localhost)");

  std::string url = realm;
  char sep = realm.find('?') == std::string::npos ? '?' : '&';
  auto add = [&](const std::string& name, const std::string& value) {
    url += sep;
    url += name + "=" + http::url_encode(value);
    sep = '&';
  };
  if (!challenge.param("service").empty()) add("service", challenge.param("service"));
  if (scopes.empty()) {
    if (!challenge.param("scope").empty()) add("scope", challenge.param("scope"));
  } else {
    for (const auto& scope : scopes) add("scope", scope);
  }

  http::Request request;
  request.url = url;
  request.max_body = 1u << 20;
  if (credentials) request.headers.push_back("Authorization: " + basic_authorization(*credentials));
  return with_context("get a token from " + realm, [&] {
    http::Response response = http::perform(request);
    response.expect({200});
    nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) throw Error("the answer is not a JSON object");
    for (const char* key : {"token", "access_token"})
      if (answer.contains(key) && answer[key].is_string() && !answer[key].get<std::string>().empty())
        return answer[key].get<std::string>();
    throw Error("the answer has neither \"token\" nor \"access_token\"");
  });
}

}  // namespace boxlab::image
