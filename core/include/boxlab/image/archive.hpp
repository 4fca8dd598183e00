/**
 * @file archive.hpp
 * @brief `save` and `load`: images as one tar file, readable by Docker, podman and skopeo.
 *
 * The tar holds an OCI image layout (oci-layout, index.json, blobs/sha256/…) and, beside it,
 * Docker's manifest.json ([{"Config":…,"RepoTags":[…],"Layers":[…]}]), which is what
 * `docker save` writes since Docker 25. So `docker load`, `podman load` and
 * `skopeo copy oci-archive:FILE …` read what `save` writes, and `load` reads either an OCI
 * layout archive or an older docker-save archive (a directory per layer with layer.tar).
 */
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "boxlab/image/layers.hpp"
#include "boxlab/image/store.hpp"

namespace boxlab::image {

/// Write the images named @p names (references or ids) as one uncompressed tar to @p out_fd.
void save_images(const Store& store, const std::vector<std::string>& names, int out_fd);

/**
 * @brief Load every named image of the archive @p input (a tar, optionally gzip/zstd
 *        compressed, or a directory holding an OCI layout) into @p store, and unpack its layers.
 *
 * Every blob is verified against its digest while it is read; nothing is written outside the
 * store. Returns the references loaded ("docker.io/library/busybox:latest").
 */
std::vector<std::string> load_images(const Store& store, const LayerStore& layers, const std::filesystem::path& input);

}  // namespace boxlab::image
