// JSON report, with check50's fields (name, description, passed true/false/null, cause, log,
// dependency), plus points and seconds; and the helper that writes any report to a file.
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "boxlab/sys/error.hpp"
#include "report.hpp"

namespace checker {

using nlohmann::json;

namespace {

json passed_of(Outcome outcome) {
  if (outcome == Outcome::skipped) return nullptr;
  return outcome == Outcome::passed;
}

json cause_of(const Result& r) {
  if (!r.cause) return nullptr;
  return {{"expected", r.cause->expected}, {"seen", r.cause->seen}, {"hint", r.cause->hint}};
}

json result_of(const Result& r) {
  return {{"name", r.name},
          {"description", r.title},
          {"lab", r.lab},
          {"passed", passed_of(r.outcome)},
          {"cause", cause_of(r)},
          {"log", r.log},
          {"dependency", r.dependency.empty() ? json(nullptr) : json(r.dependency)},
          {"points", r.points},
          {"seconds", std::round(r.seconds * 1000) / 1000}};
}

}  // namespace

std::string to_json(const std::vector<Result>& results, int lab) {
  json list = json::array();
  for (const auto& r : results) list.push_back(result_of(r));
  Score s = score(results);
  json doc{{"lab", lab}, {"score", s.earned}, {"max_score", s.total}, {"results", list}};
  return doc.dump(2) + "\n";
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw boxlab::Error("cannot write report " + path.string());
}

}  // namespace checker
