/**
 * @file listing.hpp
 * @brief What `images`, `history` and `image inspect` print, in docker's formats.
 *
 * `images` has a row per name (REPOSITORY, TAG, IMAGE ID, CREATED, SIZE), newest first;
 * `history` a row per step of the config's history, newest first, with the size of the layer a
 * step made; `inspect` a JSON array with docker's main fields (Id, RepoTags, RepoDigests,
 * Created, Config, Architecture, Os, Size, RootFS).
 */
#pragma once

#include <string>
#include <vector>

#include "boxlab/image/image.hpp"
#include "boxlab/image/layers.hpp"

namespace boxlab::image {

/// The options of `images`.
struct ImagesFormat {
  bool quiet = false;     ///< -q: only ids, one per image
  bool digests = false;   ///< --digests: a DIGEST column
  bool no_trunc = false;  ///< --no-trunc: whole ids
};

/// The table of `images`.
std::string format_images(const std::vector<Image>& images, const LayerStore& layers, const ImagesFormat& format = {});

/// The table of `history`: @p no_trunc shows whole ids and commands, @p human sizes and times
/// for people (false: bytes and RFC 3339, as `docker history -H=false`).
std::string format_history(const Image& image, const LayerStore& layers, bool no_trunc = false, bool human = true);

/// `image inspect`: a JSON array, one object per image, indented as docker indents it.
std::string inspect_images(const std::vector<Image>& images, const LayerStore& layers);

/// The familiar repository of a full reference, without tag or digest ("busybox",
/// "127.0.0.1:5000/team/app").
std::string familiar_repository(const std::string& reference);

}  // namespace boxlab::image
