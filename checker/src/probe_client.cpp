// Probe client: turning the probe's stdout into JSON, and queries the checks share.
#include "probe_client.hpp"

#include <sstream>

#include "check.hpp"
#include "diagnose.hpp"

namespace checker {

namespace stdfs = std::filesystem;

Json parse_probe_output(const std::string& out) {
  std::string line = out.substr(0, out.find('\n'));
  try {
    Json j = Json::parse(line);
    if (j.is_object()) return j;
  } catch (const Json::exception&) {
  }
  throw Failure({"one JSON object from the probe on stdout",
                 "stdout \"" + first_line(out) + "\"",
                 "the probe's output did not reach the lab's stdout: does the command inherit "
                 "the lab's stdout (fd 1)?"});
}

Json probe_report(const LabRun& run) {
  expect_exit(run, 0, "the probe to run in the container and exit 0");
  return parse_probe_output(run.out);
}

bool has_complete_line(const std::string& out) { return out.find('\n') != std::string::npos; }

std::optional<Json> mount_at(const Json& report, const std::string& mount_point) {
  std::optional<Json> found;
  for (const auto& m : report.value("mounts", Json::array()))
    if (m.value("mount_point", "") == mount_point) found = m;
  return found;
}

bool has_option(const std::string& options, const std::string& option) {
  std::istringstream in(options);
  for (std::string item; std::getline(in, item, ',');)
    if (item == option) return true;
  return false;
}

std::vector<std::string> strings_of(const Json& array) {
  std::vector<std::string> out;
  if (!array.is_array()) return out;
  for (const auto& s : array)
    if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::string normalise_map(const std::string& map) {
  std::istringstream in(map);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string joined;
    for (std::string w; words >> w;) joined += (joined.empty() ? "" : " ") + w;
    if (!joined.empty()) out += (out.empty() ? "" : "\n") + joined;
  }
  return out;
}

void install_probe(const stdfs::path& probe, const stdfs::path& rootfs) {
  stdfs::copy_file(probe, rootfs / "probe", stdfs::copy_options::overwrite_existing);
  stdfs::permissions(rootfs / "probe", stdfs::perms(0755));
}

}  // namespace checker
