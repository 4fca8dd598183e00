// Reading the probe: its one JSON object, and small queries over it.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lab_process.hpp"

namespace checker {

using Json = nlohmann::json;

/// Parse the probe's JSON from a run that must have exited 0; throws Failure otherwise.
Json probe_report(const LabRun& run);

/// Parse the first complete JSON line of @p out (the probe still running); throws Failure.
Json parse_probe_output(const std::string& out);

/// True when @p out holds a complete line (the probe's JSON is out, it is now sleeping).
bool has_complete_line(const std::string& out);

/// The mount of the probe's report at @p mount_point (the last one, as it is the visible one).
std::optional<Json> mount_at(const Json& report, const std::string& mount_point);

/// True when the comma-separated @p options contain @p option exactly.
bool has_option(const std::string& options, const std::string& option);

/// The strings of a JSON array (empty when it is not one).
std::vector<std::string> strings_of(const Json& array);

/// "0 100000 65536": a uid_map's text with the kernel's column padding collapsed.
std::string normalise_map(const std::string& map);

/// Copy the probe to @p rootfs/probe, executable by anyone.
void install_probe(const std::filesystem::path& probe, const std::filesystem::path& rootfs);

}  // namespace checker
