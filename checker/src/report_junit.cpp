// JUnit XML report: what CI systems (GitLab, Jenkins, GitHub test reporters) read. One
// <testsuite> per lab, one <testcase> per check; a failure carries the cause, a skip its reason.
#include <fmt/core.h>

#include <map>

#include "report.hpp"

namespace checker {

namespace {

std::string xml_escape(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 allows no control characters but tab, newline and carriage return.
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') out += "?";
        else out += static_cast<char>(c);
    }
  }
  return out;
}

std::string cause_text(const Result& r) {
  if (!r.cause) return {};
  return "expected: " + r.cause->expected + "\nseen: " + r.cause->seen + "\nhint: " + r.cause->hint;
}

std::string testcase(const Result& r) {
  std::string head = fmt::format("    <testcase classname=\"lab{:02}\" name=\"{}\" time=\"{:.3f}\"",
                                 r.lab, xml_escape(r.name), r.seconds);
  std::string log;
  for (const auto& line : r.log) log += line + "\n";
  std::string system_out = log.empty() ? "" : "      <system-out>" + xml_escape(log) + "</system-out>\n";
  switch (r.outcome) {
    case Outcome::passed:
      return head + (system_out.empty() ? "/>\n" : ">\n" + system_out + "    </testcase>\n");
    case Outcome::skipped:
      return head + ">\n      <skipped message=\"" + xml_escape(r.cause ? r.cause->hint : "skipped") +
             "\"/>\n    </testcase>\n";
    case Outcome::failed:
      break;
  }
  std::string message = r.cause ? r.cause->expected : "failed";
  return head + ">\n      <failure message=\"" + xml_escape(message) + "\">" + xml_escape(cause_text(r)) +
         "</failure>\n" + system_out + "    </testcase>\n";
}

}  // namespace

std::string to_junit(const std::vector<Result>& results) {
  std::map<int, std::vector<const Result*>> by_lab;
  for (const auto& r : results) by_lab[r.lab].push_back(&r);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"boxlab checker\">\n";
  for (const auto& [lab, list] : by_lab) {
    int failures = 0, skipped = 0;
    double seconds = 0;
    std::string cases;
    for (const Result* r : list) {
      failures += r->outcome == Outcome::failed;
      skipped += r->outcome == Outcome::skipped;
      seconds += r->seconds;
      cases += testcase(*r);
    }
    out += fmt::format("  <testsuite name=\"lab{:02}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3f}\">\n",
                       lab, list.size(), failures, skipped, seconds);
    out += cases + "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

}  // namespace checker
