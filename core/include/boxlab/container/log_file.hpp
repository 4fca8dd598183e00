/**
 * @file log_file.hpp
 * @brief A container's output in Docker's json-file log format, written by its monitor and
 *        read by `logs`.
 *
 * One JSON object per line: {"log":"hello\n","stream":"stdout","time":"2024-05-01T10:00:00.123456789Z"}.
 * Output is split at newlines (a line keeps its "\n"); a partial line is written when it reaches
 * 16 KiB or when the stream ends, as Docker's json-file driver does. Because the file outlives
 * the container, `logs` works on a stopped container.
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boxlab/sys/unique_fd.hpp"

namespace boxlab::container {

/// One line of a container's output.
struct LogEntry {
  std::string stream;  ///< "stdout" or "stderr"
  std::string text;    ///< the line, with its "\n" when it had one
  std::string time;    ///< RFC 3339 with nanoseconds, UTC
};

/// Appends a container's output to its json-file log.
class LogWriter {
 public:
  /// Open (create or append to) the log at @p path.
  explicit LogWriter(const std::string& path);
  /// Add output read from @p stream ("stdout", "stderr"): complete lines are written at once.
  void write(const std::string& stream, std::string_view chunk);
  /// Write what is left of @p stream's last partial line (at the stream's end).
  void flush(const std::string& stream);

 private:
  void append(const std::string& stream, std::string_view text);
  sys::UniqueFd fd_;
  std::string pending_stdout_, pending_stderr_;
};

/// Every entry of the log at @p path, oldest first; lines that are not log entries are skipped.
std::vector<LogEntry> read_log(const std::string& path);

/// What `logs` prints: @p entries (only the last @p tail when given), each prefixed with its
/// time when @p timestamps.
std::string format_log(const std::vector<LogEntry>& entries, bool timestamps, std::optional<size_t> tail = std::nullopt);

}  // namespace boxlab::container
