// Docker's json-file log: a container's output, line by line, each with its stream and time.
//
// Why a file of JSON lines rather than the raw bytes: every line keeps which stream it came from
// and when, so `logs --timestamps` and `logs 2>/dev/null` can be answered after the container is
// gone, and a reader can follow the file while a writer appends to it (O_APPEND writes of one
// line each are never interleaved mid-line). The monitor reads the container's stdout and
// stderr pipes and calls LogWriter::write with whatever arrived; lines are cut at "\n".
//
// Interface: LogWriter::{write,flush}, read_log, format_log
#include "boxlab/container/log_file.hpp"

#include <fcntl.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/text.hpp"

namespace boxlab::container {

namespace {

constexpr size_t kMaxLine = 16 * 1024;  // Docker's json-file cuts longer lines here

}  // namespace

LogWriter::LogWriter(const std::string& path) : fd_(sys::open(path, O_WRONLY | O_CREAT | O_APPEND, 0640)) {}

void LogWriter::append(const std::string& stream, std::string_view text) {
  nlohmann::json line{{"log", text}, {"stream", stream}, {"time", sys::now_rfc3339(true)}};
  // Invalid UTF-8 from a program is kept as U+FFFD rather than failing the whole log.
  sys::write_all(fd_.get(), line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

void LogWriter::write(const std::string& stream, std::string_view chunk) {
  std::string& pending = stream == "stderr" ? pending_stderr_ : pending_stdout_;
  pending.append(chunk);
  size_t start = 0;
  for (size_t newline; (newline = pending.find('\n', start)) != std::string::npos; start = newline + 1)
    append(stream, std::string_view(pending).substr(start, newline + 1 - start));
  pending.erase(0, start);
  while (pending.size() >= kMaxLine) {
    append(stream, std::string_view(pending).substr(0, kMaxLine));
    pending.erase(0, kMaxLine);
  }
}

void LogWriter::flush(const std::string& stream) {
  std::string& pending = stream == "stderr" ? pending_stderr_ : pending_stdout_;
  if (!pending.empty()) append(stream, pending);
  pending.clear();
}

std::vector<LogEntry> read_log(const std::string& path) {
  std::vector<LogEntry> entries;
  if (!sys::exists(path)) return entries;
  std::istringstream lines(sys::read_file(path));
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("log") || !j["log"].is_string()) continue;
    entries.push_back({j.value("stream", "stdout"), j["log"].get<std::string>(), j.value("time", "")});
  }
  return entries;
}

std::string format_log(const std::vector<LogEntry>& entries, bool timestamps, std::optional<size_t> tail) {
  size_t first = tail && *tail < entries.size() ? entries.size() - *tail : 0;
  std::string out;
  for (size_t i = first; i < entries.size(); ++i) out += (timestamps ? entries[i].time + " " : "") + entries[i].text;
  return out;
}

}  // namespace boxlab::container
