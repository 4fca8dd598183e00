/**
 * @file auth.hpp
 * @brief Registry authentication: WWW-Authenticate challenges, Basic credentials, Bearer tokens.
 *
 * A registry that wants credentials answers 401 with a challenge (RFC 7235):
 * `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"`
 * tells the client where to get a token (the distribution spec's token flow), and
 * `Basic realm="Registry Realm"` asks for a user and password on every request.
 */
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boxlab::image {

/// A user name and password (or an identity token as password).
struct Credentials {
  std::string username;  ///< user name
  std::string password;  ///< password or token
};

/// One challenge of a WWW-Authenticate header.
struct Challenge {
  std::string scheme;                         ///< "bearer", "basic", ... (lowercased)
  std::map<std::string, std::string> params;  ///< auth-params, names lowercased, values unquoted
  std::string token68;                        ///< the token68 form ("Negotiate abc=="), if used

  /// The value of parameter @p name ("" when absent).
  std::string param(const std::string& name) const;
};

/// Parse a WWW-Authenticate header value: one or more comma-separated challenges, each a
/// scheme followed by token68 or name=value parameters (token or quoted string with \ escapes).
/// Throws a boxlab::Error saying where the header is malformed.
std::vector<Challenge> parse_challenges(std::string_view header);

/// "Basic <base64(user:password)>", the value of an Authorization header.
std::string basic_authorization(const Credentials& credentials);

/**
 * @brief Get a Bearer token for @p challenge: GET realm?service=…&scope=… (one scope parameter
 * per entry of @p scopes; the challenge's own scope when @p scopes is empty), with Basic
 * @p credentials when given. Returns the "token" (or "access_token") of the JSON answer.
 *
 * The realm must be https, except on the loopback host (127.0.0.1, localhost, [::1]), so
 * credentials never travel in clear text to another machine.
 */
std::string fetch_token(const Challenge& challenge, const std::vector<std::string>& scopes,
                        const std::optional<Credentials>& credentials);

/// True for the loopback hosts served over plain http: "127.0.0.1", "localhost", "[::1]",
/// with or without ":port".
bool is_loopback_host(std::string_view host);

}  // namespace boxlab::image
