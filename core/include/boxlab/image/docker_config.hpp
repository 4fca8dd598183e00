/**
 * @file docker_config.hpp
 * @brief Registry credentials stored by `docker login` (or `podman login --authfile`).
 *
 * `docker login HOST` writes `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`):
 * `{"auths":{"HOST":{"auth":"base64(user:password)"}}}`. Reading the same file lets a student log
 * in once with the docker CLI and pull private images with a lab. Credential helpers
 * ("credsStore") are not run.
 */
#pragma once

#include <optional>
#include <string>

#include "boxlab/image/auth.hpp"

namespace boxlab::image {

/// The credentials stored for @p host ("docker.io" also matches Docker Hub's legacy key
/// "https://index.docker.io/v1/"), or nullopt. A malformed file is an error naming it.
std::optional<Credentials> stored_credentials(const std::string& host);

}  // namespace boxlab::image
