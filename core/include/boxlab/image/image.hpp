/**
 * @file image.hpp
 * @brief An image in the store as the image commands see it: its names, manifest, config
 *        (what `docker run` takes from it) and history, found by name or by id.
 *
 * An image's id is the digest of its config (as classic Docker's IMAGE ID): two names that point
 * to one manifest are one image with two tags. The config (image-spec config.md) holds what a
 * container inherits (Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Volumes, Labels),
 * the layers' diff_ids, and a history of how the image was built.
 */
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "boxlab/image/reference.hpp"
#include "boxlab/image/store.hpp"

namespace boxlab::image {

/// The part of an image config a container inherits ("config" in config.md).
struct ContainerConfig {
  std::vector<std::string> env;            ///< "KEY=value"
  std::vector<std::string> cmd;            ///< default command
  std::vector<std::string> entrypoint;     ///< prepended to the command
  std::string working_dir;                 ///< "" means /
  std::string user;                        ///< "" means root
  std::vector<std::string> exposed_ports;  ///< "80/tcp"
  std::vector<std::string> volumes;        ///< "/data"
  std::map<std::string, std::string> labels;  ///< "org.opencontainers.image.source" -> …
  std::string stop_signal;                 ///< "" means SIGTERM
};

/// One step of the image's history (config.md "history").
struct HistoryEntry {
  std::string created;     ///< RFC 3339
  std::string created_by;  ///< the command that made the step
  std::string comment;     ///< a note ("Imported from …")
  bool empty_layer = false;  ///< the step made no layer (ENV, CMD, ...)
};

/// An image of the store.
struct Image {
  std::vector<std::string> names;    ///< its references, full form ("docker.io/library/busybox:latest")
  std::string repo_digest;           ///< "docker.io/library/busybox@sha256:…" when pulled
  Descriptor manifest;               ///< the manifest's descriptor in index.json
  Descriptor config;                 ///< the config blob
  std::vector<Descriptor> layers;    ///< the layer blobs, base first
  std::vector<Digest> diff_ids;      ///< the uncompressed layers' digests, base first
  std::string config_json;           ///< the config as stored (for inspect)
  std::string created;               ///< RFC 3339, may be empty
  std::string author;               ///< who made it
  std::string os;                   ///< "linux"
  std::string architecture;         ///< "amd64"
  std::string variant;              ///< "v8", or empty
  ContainerConfig container_config;  ///< what a container inherits
  std::vector<HistoryEntry> history;  ///< how it was made, oldest first

  /// The image id: the config's digest ("sha256:…").
  std::string id() const { return config.digest.str(); }
  /// The id as `docker images` shows it: 12 hex digits.
  std::string short_id() const { return config.digest.hex.substr(0, 12); }
  /// The layers' compressed size (what a pull downloads).
  uint64_t download_size() const;
};

/// The annotation boxlab records a pulled image's repository digest in (the manifest or index
/// digest the registry served, which `docker images --digests` shows).
inline constexpr std::string_view kRepoDigestAnnotation = "io.boxlab.image.repo-digest";

/// Read the image @p manifest points to, and parse its config.
Image load_image(const Store& store, const Descriptor& manifest);

/// Every image of the store, once each, with all its names, in index.json order.
std::vector<Image> list_images(const Store& store);

/**
 * @brief Find an image by reference ("busybox", "busybox:1.36", "host:5000/app@sha256:…"), by
 *        id ("sha256:…") or by a unique prefix of its id of at least 4 hex digits.
 *
 * Throws "No such image: NAME" when nothing matches and names the candidates when a prefix is
 * ambiguous.
 */
Image find_image(const Store& store, std::string_view name_or_id);

}  // namespace boxlab::image
