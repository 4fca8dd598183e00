// HTTP for the registry client: one libcurl easy handle per request.
//
// A pull is a handful of requests (ping, token, manifest, a few blobs), so a fresh easy handle
// per request costs nothing that matters and keeps every transfer self-contained: the handle,
// its header list and its error buffer are owned by RAII guards and released before perform()
// returns. libcurl's callbacks are C functions; an exception must not cross them, so a callback
// catches, stores the exception, and tells libcurl to abort; perform() rethrows it afterwards.
//
// Only the final response is kept: with redirects libcurl reports the headers of every hop,
// so a new status line resets what was collected. A body is streamed to on_body only for a 2xx
// status, so an error page is never mistaken for a blob; it is kept (capped) for the message.
//
// Interface: perform, Response::{header,headers_named,expect}, url_encode, base64
#include "boxlab/image/http.hpp"

#include <curl/curl.h>
#include <fcntl.h>

#include <exception>
#include <memory>
#include <mutex>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/unique_fd.hpp"

namespace boxlab::image::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw Error("libcurl: global initialisation failed");
  });
}

struct EasyDeleter {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

// What the callbacks share with perform().
struct Transfer {
  const Request* request = nullptr;
  CURL* easy = nullptr;
  Response response;
  std::exception_ptr failure;
  sys::UniqueFd upload;  // body_file, when set
  size_t upload_offset = 0;  // into request->body otherwise
  bool too_large = false;

  long status_now() const {
    long code = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  try {
    if (line.substr(0, 5) == "HTTP/") {  // a new response (redirect hop, 100 Continue)
      t->response.headers.clear();
      std::string_view rest = trim(line);
      size_t sp = rest.find(' ');
      size_t sp2 = sp == std::string_view::npos ? sp : rest.find(' ', sp + 1);
      t->response.reason = sp2 == std::string_view::npos ? "" : std::string(rest.substr(sp2 + 1));
      return line.size();
    }
    size_t colon = line.find(':');
    if (colon != std::string_view::npos)
      t->response.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                       std::string(trim(line.substr(colon + 1))));
  } catch (...) {
    t->failure = std::current_exception();
    return 0;
  }
  return line.size();
}

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view chunk(data, size * count);
  try {
    long status = t->status_now();
    if (t->request->on_body && status >= 200 && status < 300) {
      t->request->on_body(chunk);
    } else {
      if (t->response.body.size() + chunk.size() > t->request->max_body) {
        t->too_large = true;
        return 0;
      }
      t->response.body.append(chunk);
    }
  } catch (...) {
    t->failure = std::current_exception();
    return 0;
  }
  return chunk.size();
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t room = size * count;
  try {
    if (t->upload) return sys::read(t->upload.get(), buffer, room);
    const std::string& body = t->request->body;
    size_t n = std::min(room, body.size() - t->upload_offset);
    body.copy(buffer, n, t->upload_offset);
    t->upload_offset += n;
    return n;
  } catch (...) {
    t->failure = std::current_exception();
    return CURL_READFUNC_ABORT;
  }
}

// curl_easy_setopt is variadic; check every call so a typo in an option is not silent.
template <typename T>
void set(CURL* easy, CURLoption option, T value) {
  CURLcode rc = curl_easy_setopt(easy, option, value);
  if (rc != CURLE_OK) throw Error(std::string("libcurl: setting an option: ") + curl_easy_strerror(rc));
}

}  // namespace

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return std::nullopt;
}

std::vector<std::string> Response::headers_named(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) out.push_back(value);
  return out;
}

const Response& Response::expect(std::initializer_list<long> ok) const {
  for (long code : ok)
    if (status == code) return *this;
  std::string message = method + " " + url + ": HTTP " + std::to_string(status);
  if (!reason.empty()) message += " " + reason;
  std::string excerpt(trim(std::string_view(body).substr(0, 300)));
  for (char& c : excerpt)
    if (c == '\n' || c == '\r') c = ' ';
  if (!excerpt.empty()) message += ": " + excerpt;
  throw Error(message);
}

Response perform(const Request& request) {
  global_init();
  std::string what = request.method + " " + request.url;
  if (request.url.rfind("http://", 0) != 0 && request.url.rfind("https://", 0) != 0)
    throw Error(what + ": only http:// and https:// URLs are supported");

  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) throw Error(what + ": libcurl: cannot create a handle");
  Transfer t;
  t.request = &request;
  t.easy = easy.get();
  t.response.method = request.method;
  t.response.url = request.url;
  char errbuf[CURL_ERROR_SIZE] = {};

  CURL* e = easy.get();
  set(e, CURLOPT_URL, request.url.c_str());
  set(e, CURLOPT_ERRORBUFFER, errbuf);
  set(e, CURLOPT_NOSIGNAL, 1L);
  set(e, CURLOPT_PROTOCOLS_STR, "http,https");
  set(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(e, CURLOPT_HEADERFUNCTION, on_header);
  set(e, CURLOPT_HEADERDATA, &t);
  set(e, CURLOPT_WRITEFUNCTION, on_write);
  set(e, CURLOPT_WRITEDATA, &t);
  set(e, CURLOPT_CONNECTTIMEOUT, request.connect_timeout_seconds);
  set(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
  set(e, CURLOPT_LOW_SPEED_TIME, request.stall_timeout_seconds);
  set(e, CURLOPT_TIMEOUT, request.total_timeout_seconds);
  set(e, CURLOPT_USERAGENT, "boxlab/" BOXLAB_VERSION);
  // Blobs are compressed already; asking for gzip would hash the wrong bytes.
  bool is_get = request.method == "GET" || request.method == "HEAD";
  if (request.follow_redirects && is_get) {
    set(e, CURLOPT_FOLLOWLOCATION, 1L);
    set(e, CURLOPT_MAXREDIRS, 10L);
  }

  bool has_body = !request.body.empty() || !request.body_file.empty();
  if (request.method == "GET") {
    set(e, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    set(e, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    curl_off_t length = 0;
    if (!request.body_file.empty()) {
      t.upload = with_context(what, [&] { return sys::open(request.body_file, O_RDONLY | O_CLOEXEC); });
      length = static_cast<curl_off_t>(sys::stat(request.body_file).st_size);
    } else {
      length = static_cast<curl_off_t>(request.body.size());
    }
    set(e, CURLOPT_UPLOAD, 1L);  // a PUT that reads the body from on_read
    set(e, CURLOPT_READFUNCTION, on_read);
    set(e, CURLOPT_READDATA, &t);
    set(e, CURLOPT_INFILESIZE_LARGE, length);
    if (request.method != "PUT") set(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method == "POST") {
    set(e, CURLOPT_POST, 1L);
    set(e, CURLOPT_POSTFIELDSIZE, 0L);
    set(e, CURLOPT_POSTFIELDS, "");
  } else {
    set(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  curl_slist* raw_list = nullptr;
  std::unique_ptr<curl_slist, ListDeleter> list;
  auto add_header = [&](const std::string& h) {
    curl_slist* next = curl_slist_append(raw_list, h.c_str());
    if (!next) throw Error(what + ": libcurl: out of memory for headers");
    raw_list = next;
    list.release();
    list.reset(raw_list);
  };
  for (const auto& h : request.headers) add_header(h);
  if (has_body) add_header("Expect:");  // no 100-continue round trip
  if (raw_list) set(e, CURLOPT_HTTPHEADER, raw_list);

  CURLcode rc = curl_easy_perform(e);
  if (t.failure) {
    try {
      std::rethrow_exception(t.failure);
    } catch (Error& err) {
      err.add_context(what);
      throw;
    }
  }
  if (t.too_large) throw Error(what + ": the response is larger than " + std::to_string(request.max_body) + " bytes");
  if (rc != CURLE_OK) {
    std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    if (!detail.empty() && detail.back() == '\n') detail.pop_back();
    throw Error(what + ": " + curl_easy_strerror(rc) + (detail != curl_easy_strerror(rc) ? " (" + detail + ")" : ""));
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &t.response.status);
  return std::move(t.response);
}

std::string url_encode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string base64(std::string_view data) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                 static_cast<unsigned char>(data[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (size_t rest = data.size() - i; rest > 0) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace boxlab::image::http
