/**
 * @file http.hpp
 * @brief A small HTTP client over libcurl: one request, headers in and out, a streaming body.
 *
 * The registry client (registry.hpp) speaks the OCI distribution API through this file only.
 * A request is a plain value; perform() runs it on a fresh libcurl easy handle that is cleaned
 * up when it returns (or throws), so no handle, and no libcurl thread, outlives the call: the
 * runtime never clones with a transfer in flight (ARCHITECTURE.md, "No threads alive across
 * clone/fork").
 *
 * Transport failures (cannot connect, timeout, TLS) throw a boxlab::Error naming the method, the
 * URL and libcurl's own text. An HTTP status is not a transport failure: perform() returns every
 * status, and Response::expect() turns an unexpected one into an Error that also quotes what
 * the server said.
 */
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boxlab::image::http {

/// One HTTP request.
struct Request {
  std::string method = "GET";               ///< GET, HEAD, POST, PUT, PATCH, DELETE
  std::string url;                          ///< absolute http:// or https:// URL
  std::vector<std::string> headers;         ///< extra request headers, "Name: value"
  std::string body;                         ///< request body (POST, PUT), unless body_file is set
  std::string body_file;                    ///< stream the request body from this file instead
  /// Receives the body of a successful (2xx) response as it arrives, instead of
  /// Response::body. May throw: the transfer is aborted and the exception rethrown.
  std::function<void(std::string_view)> on_body;
  uint64_t max_body = 64u << 20;            ///< a stored body larger than this aborts the transfer
  long connect_timeout_seconds = 30;        ///< give up connecting after this long
  long stall_timeout_seconds = 60;          ///< abort when no byte moved for this long
  long total_timeout_seconds = 0;           ///< abort after this long in all (0: no limit)
  bool follow_redirects = true;             ///< follow 3xx for GET and HEAD (blob storage)
};

/// The final response (after redirects).
struct Response {
  long status = 0;                                           ///< HTTP status code
  std::string reason;                                        ///< status text ("Not Found")
  std::vector<std::pair<std::string, std::string>> headers;  ///< names as sent, values trimmed
  std::string body;                                          ///< body, unless on_body took it
  std::string method;                                        ///< the request's method
  std::string url;                                           ///< the request's URL

  /// The first header named @p name (case-insensitive), if any.
  std::optional<std::string> header(std::string_view name) const;
  /// Every header named @p name (case-insensitive), in order.
  std::vector<std::string> headers_named(std::string_view name) const;
  /// Throw a boxlab::Error unless status is one of @p ok:
  /// "GET http://…: HTTP 404 Not Found: <body excerpt>".
  const Response& expect(std::initializer_list<long> ok) const;
};

/// Run @p request; throws a boxlab::Error on transport failure (not on an HTTP status).
Response perform(const Request& request);

/// Percent-encode @p text for a URL query ("repository:a/b:pull" -> "repository%3Aa%2Fb%3Apull").
std::string url_encode(std::string_view text);

/// Base64 (RFC 4648, with padding), for Basic credentials.
std::string base64(std::string_view data);

}  // namespace boxlab::image::http
