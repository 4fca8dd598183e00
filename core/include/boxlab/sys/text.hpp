/**
 * @file text.hpp
 * @brief Text for people, as the docker CLI prints it: sizes ("2.14MB", "64MiB"), durations
 *        ("3 minutes", "About an hour") and tables aligned in columns.
 *
 * The rules are go-units' (docker/go-units size.go and duration.go) and text/tabwriter's, so
 * a table of boxlab reads like the same table of docker.
 */
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boxlab::sys {

/// Binary units with at most 4 significant digits: "1.5KiB", "64MiB" (docker stats).
std::string human_size(uint64_t bytes);

/// Decimal units with @p precision significant digits: "2.14MB", "999B" (docker images: 3,
/// docker system df: 4).
std::string decimal_size(uint64_t bytes, int precision = 4);

/// A duration in seconds as go-units' HumanDuration: "Less than a second", "5 seconds",
/// "About a minute", "3 hours", "2 weeks", "25 years".
std::string human_duration(int64_t seconds);

/// Parse an RFC 3339 UTC time ("2024-01-02T03:04:05Z" or with fractional seconds and an
/// offset); nullopt when it is not one.
std::optional<std::time_t> parse_rfc3339(std::string_view text);

/// Now in UTC as RFC 3339: "2024-01-02T03:04:05Z", or with @p nanoseconds
/// "2024-01-02T03:04:05.123456789Z" (docker's log and inspect timestamps).
std::string now_rfc3339(bool nanoseconds = false);

/// "25 years ago" for an RFC 3339 time, or "N/A" when @p rfc3339 is empty or unparsable.
std::string time_ago(std::string_view rfc3339);

/// Rows aligned in columns padded by 3 spaces (tabwriter's minwidth 0, padding 3), each line
/// ending in a newline; the last column is not padded.
std::string format_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace boxlab::sys
