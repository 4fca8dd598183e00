/**
 * @file import.hpp
 * @brief `import`: a root filesystem tarball becomes a one-layer image (`docker import`).
 *
 * The tarball (plain, gzip or zstd) becomes the layer blob as it is; its diff_id comes from
 * unpacking it (confined, as every layer), and a config is written with that diff_id, the host's
 * platform and a history entry "Imported from FILE". The image has no Cmd: as with Docker, a
 * container of it needs a command.
 */
#pragma once

#include <filesystem>
#include <string>

#include "boxlab/image/image.hpp"
#include "boxlab/image/layers.hpp"
#include "boxlab/image/reference.hpp"
#include "boxlab/image/store.hpp"

namespace boxlab::image {

/// Import the tarball @p tarball (a file or a pipe such as /dev/stdin) as
/// @p as; @p message becomes the history comment (default "Imported from <tarball>").
Image import_rootfs(const Store& store, const LayerStore& layers, const std::filesystem::path& tarball,
                    const Reference& as, const std::string& message = {});

}  // namespace boxlab::image
