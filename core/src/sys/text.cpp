// Sizes, durations and tables as the docker CLI prints them.
//
// docker's numbers come from docker/go-units: HumanSize (decimal, kB/MB/GB, used by images and
// system df), BytesSize (binary, KiB/MiB, used by stats) and HumanDuration (used for CREATED and
// STATUS columns). Its tables come from text/tabwriter with a padding of 3 spaces. Matching
// them keeps a lesson's output comparable with what a student sees from docker itself.
//
// Interface: human_size, decimal_size, human_duration, parse_rfc3339, now_rfc3339, time_ago, format_table
#include "boxlab/sys/text.hpp"

#include <algorithm>
#include <cstdio>

namespace boxlab::sys {

namespace {

std::string scaled(double value, double base, const char* const* units, int count, int precision) {
  int unit = 0;
  while (value >= base && unit < count - 1) value /= base, ++unit;
  char text[32];
  std::snprintf(text, sizeof text, "%.*g%s", precision, value, units[unit]);
  return text;
}

// Days from 1970-01-01 to year-month-day (Howard Hinnant's days_from_civil): timegm(3) without
// the TZ dependence of mktime.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::string human_size(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  return scaled(static_cast<double>(bytes), 1024, kUnits, 5, 4);
}

std::string decimal_size(uint64_t bytes, int precision) {
  static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  return scaled(static_cast<double>(bytes), 1000, kUnits, 6, precision);
}

std::string human_duration(int64_t seconds) {
  auto n = [](int64_t value, const char* unit) { return std::to_string(value) + " " + unit; };
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return n(seconds, "seconds");
  int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return n(minutes, "minutes");
  int64_t hours = (seconds + 1800) / 3600;
  if (hours == 1) return "About an hour";
  if (hours < 48) return n(hours, "hours");
  if (hours < 24 * 7 * 2) return n(hours / 24, "days");
  if (hours < 24 * 30 * 2) return n(hours / 24 / 7, "weeks");
  if (hours < 24 * 365 * 2) return n(hours / 24 / 30, "months");
  return n(seconds / 3600 / 24 / 365, "years");
}

std::optional<std::time_t> parse_rfc3339(std::string_view text) {
  int year, month, day, hour, minute, second, used = 0;
  std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second, &used) != 6)
    return std::nullopt;
  size_t at = static_cast<size_t>(used);
  if (at < s.size() && s[at] == '.')
    while (++at < s.size() && s[at] >= '0' && s[at] <= '9') {
    }
  int64_t offset = 0;
  if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    int oh = 0, om = 0;
    if (std::sscanf(s.c_str() + at + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
    offset = (s[at] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  } else if (at >= s.size() || (s[at] != 'Z' && s[at] != 'z')) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return static_cast<std::time_t>(days * 86400 + hour * 3600 + minute * 60 + second - offset);
}

std::string now_rfc3339(bool nanoseconds) {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  std::tm utc{};
  ::gmtime_r(&now.tv_sec, &utc);
  char text[48];
  size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  if (nanoseconds) std::snprintf(text + n, sizeof text - n, ".%09ldZ", now.tv_nsec);
  else std::snprintf(text + n, sizeof text - n, "Z");
  return text;
}

std::string time_ago(std::string_view rfc3339) {
  std::optional<std::time_t> when = parse_rfc3339(rfc3339);
  if (!when) return "N/A";
  return human_duration(static_cast<int64_t>(std::time(nullptr) - *when)) + " ago";
}

// Columns are measured in characters, not bytes: "…" is three bytes of UTF-8 but one column.
size_t display_width(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xc0) != 0x80;
  return width;
}

std::string format_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows)
    for (size_t i = 0; i + 1 < row.size(); ++i) {
      if (widths.size() <= i) widths.resize(i + 1, 0);
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] + 3 - display_width(row[i]), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace boxlab::sys
