// Docker's json-file log: lines split at "\n", streams kept apart, partial lines flushed.
#include <fstream>

#include "boxlab/container/log_file.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;

TEST_CASE("json-file log: lines, streams, partial lines, tail and timestamps", "[container][logs]") {
  test::TempDir dir;
  std::string path = (dir.path() / "c-json.log").string();
  {
    container::LogWriter log(path);
    log.write("stdout", "hello\nwor");
    log.write("stderr", "oops\n");
    log.write("stdout", "ld\nno newline");
    log.flush("stdout");
    log.flush("stderr");
  }
  auto entries = container::read_log(path);
  REQUIRE(entries.size() == 4);
  CHECK(entries[0].text == "hello\n");
  CHECK(entries[0].stream == "stdout");
  CHECK(entries[1].text == "oops\n");
  CHECK(entries[1].stream == "stderr");
  CHECK(entries[2].text == "world\n");
  CHECK(entries[3].text == "no newline");
  CHECK(entries[0].time.size() == 30);  // 2024-01-02T03:04:05.123456789Z
  CHECK(entries[0].time.back() == 'Z');
  CHECK(container::format_log(entries, false) == "hello\noops\nworld\nno newline");
  CHECK(container::format_log(entries, false, 2) == "world\nno newline");
  CHECK(container::format_log(entries, true, 1) == entries[3].time + " no newline");
  std::string raw;
  std::getline(std::ifstream(path), raw);
  CHECK(test::contains(R"({"log":"hello\n","stream":"stdout","time":")").match(raw));
}

TEST_CASE("json-file log: long lines are cut at 16 KiB, junk lines skipped", "[container][logs]") {
  test::TempDir dir;
  std::string path = (dir.path() / "c-json.log").string();
  {
    container::LogWriter log(path);
    log.write("stdout", std::string(20000, 'x'));
    log.flush("stdout");
  }
  std::ofstream(path, std::ios::app) << "not json\n";
  auto entries = container::read_log(path);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].text.size() == 16384);
  CHECK(entries[1].text.size() == 20000 - 16384);
  CHECK(container::read_log((dir.path() / "missing").string()).empty());
}
