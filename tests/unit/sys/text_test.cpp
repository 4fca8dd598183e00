// Text for people, as the docker CLI prints it: go-units' sizes and durations, RFC 3339 times,
// and tabwriter's columns (padding 3, last column unpadded, no trailing spaces).
#include "boxlab/sys/text.hpp"

#include "catch.hpp"

namespace sys = boxlab::sys;

TEST_CASE("decimal_size rounds to significant digits in kB, MB, GB", "[sys][text]") {
  CHECK(sys::decimal_size(2140000, 3) == "2.14MB");
  CHECK(sys::decimal_size(2144999, 3) == "2.14MB");
  CHECK(sys::decimal_size(999) == "999B");
  CHECK(sys::decimal_size(0) == "0B");
  CHECK(sys::decimal_size(1000) == "1kB");
  CHECK(sys::decimal_size(1234567) == "1.235MB");  // the default precision is 4
  CHECK(sys::decimal_size(5'000'000'000) == "5GB");
}

TEST_CASE("human_size uses binary units with 4 significant digits", "[sys][text]") {
  CHECK(sys::human_size(0) == "0B");
  CHECK(sys::human_size(1023) == "1023B");
  CHECK(sys::human_size(1536) == "1.5KiB");
  CHECK(sys::human_size(64u << 20) == "64MiB");
  CHECK(sys::human_size(uint64_t{3} << 30) == "3GiB");
}

TEST_CASE("human_duration follows go-units' boundaries", "[sys][text]") {
  const int64_t minute = 60, hour = 3600, day = 24 * hour;
  CHECK(sys::human_duration(-5) == "Less than a second");
  CHECK(sys::human_duration(0) == "Less than a second");
  CHECK(sys::human_duration(1) == "1 second");
  CHECK(sys::human_duration(2) == "2 seconds");
  CHECK(sys::human_duration(59) == "59 seconds");
  CHECK(sys::human_duration(minute) == "About a minute");
  CHECK(sys::human_duration(2 * minute) == "2 minutes");
  CHECK(sys::human_duration(3599) == "59 minutes");
  CHECK(sys::human_duration(hour) == "About an hour");
  CHECK(sys::human_duration(2 * hour) == "2 hours");
  CHECK(sys::human_duration(47 * hour) == "47 hours");
  CHECK(sys::human_duration(48 * hour) == "2 days");
  CHECK(sys::human_duration(13 * day) == "13 days");
  CHECK(sys::human_duration(14 * day) == "2 weeks");
  CHECK(sys::human_duration(59 * day) == "8 weeks");
  CHECK(sys::human_duration(60 * day) == "2 months");
  CHECK(sys::human_duration(2 * 365 * day) == "2 years");
  CHECK(sys::human_duration(25 * 365 * day) == "25 years");
}

TEST_CASE("parse_rfc3339 reads UTC, fractional seconds and offsets", "[sys][text]") {
  const std::time_t expected = 1704164645;  // 2024-01-02T03:04:05Z (date -u -d ... +%s)
  CHECK(sys::parse_rfc3339("1970-01-01T00:00:00Z") == std::optional<std::time_t>(0));
  CHECK(sys::parse_rfc3339("2024-01-02T03:04:05Z") == expected);
  CHECK(sys::parse_rfc3339("2024-01-02T03:04:05z") == expected);
  CHECK(sys::parse_rfc3339("2024-01-02T03:04:05.123456789Z") == expected);
  CHECK(sys::parse_rfc3339("2024-01-02T05:04:05+02:00") == expected);
  CHECK(sys::parse_rfc3339("2024-01-01T22:04:05.5-05:00") == expected);
  CHECK(sys::parse_rfc3339("2000-03-01T00:00:00Z") == 951868800);  // after a leap day

  CHECK_FALSE(sys::parse_rfc3339(""));
  CHECK_FALSE(sys::parse_rfc3339("yesterday"));
  CHECK_FALSE(sys::parse_rfc3339("2024-01-02 03:04:05Z"));
  CHECK_FALSE(sys::parse_rfc3339("2024-01-02T03:04:05"));  // no zone
  CHECK_FALSE(sys::parse_rfc3339("2024-13-02T03:04:05Z"));
  CHECK_FALSE(sys::parse_rfc3339("2024-01-02T03:04:05+0x"));
}

TEST_CASE("time_ago says N/A for what it cannot read", "[sys][text]") {
  CHECK(sys::time_ago("") == "N/A");
  CHECK(sys::time_ago("not a time") == "N/A");
  CHECK(sys::time_ago("2000-01-01T00:00:00Z").ends_with(" years ago"));
}

TEST_CASE("format_table pads columns by 3 spaces and leaves no trailing space", "[sys][text]") {
  CHECK(sys::format_table({}) == "");
  CHECK(sys::format_table({{"A", "BB", "C"}, {"CCC", "D", ""}, {"x", "", "last column is long"}}) ==
        "A     BB   C\n"
        "CCC   D\n"
        "x          last column is long\n");
  CHECK(sys::format_table({{"only"}, {"one column"}}) == "only\none column\n");
}
