// Shared by the checks of labs 07 on: the probe image (busybox + /probe, with an Env, a Cmd
// and a WorkingDir of its own) loaded into the lab's store, and inspect's JSON.
#pragma once

#include <filesystem>
#include <string>

#include "../src/context.hpp"
#include "../src/probe_client.hpp"

namespace checker {

/// The probe image's name in the lab's store.
inline constexpr const char* kImage = "probe:1";

/// Make busybox + /probe a docker-save archive with its own config, and `load` it as probe:1.
void load_probe_image(Context& ctx);

/// Pack @p rootfs as a one-layer docker-save archive whose image config's "config" is
/// @p container_config, and `load` it as @p name (lab 06's load).
void load_image(Context& ctx, const std::filesystem::path& rootfs, const std::string& name, const Json& container_config);

/// `inspect NAME`'s one object; a Failure unless it is a JSON array of one.
Json inspect(Context& ctx, const std::string& name);

}  // namespace checker
