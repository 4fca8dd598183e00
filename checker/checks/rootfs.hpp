// Shared by the checks of labs 03 on: a private busybox rootfs with the probe inside.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "../src/context.hpp"
#include "../src/probe_client.hpp"

namespace checker {

/// The marker file at the rootfs's top: a process that sees it is inside the rootfs.
inline constexpr const char* kMarker = "boxlab-marker";

/// A fresh copy of the busybox rootfs with the probe at /probe and a marker file at /.
std::filesystem::path make_rootfs(Context& ctx);

/// Run `BIN run --rootfs ROOTFS [extra_flags...] /probe [probe_args...]` and parse its JSON.
Json run_probe(Context& ctx, const std::filesystem::path& rootfs, std::vector<std::string> probe_args = {},
               std::vector<std::string> extra_flags = {});

/// "a, b, c".
std::string join(const std::vector<std::string>& items);

/// What a host tool printed (stdout and stderr together) and how it ended.
struct ToolRun {
  int code = -1;
  std::string out;
};

/// Run a host tool (skopeo, tar, ...) and log the command; a Failure with an install hint when
/// the tool is missing.
ToolRun run_tool(Context& ctx, std::vector<std::string> args);

}  // namespace checker
