/**
 * @file overlay.hpp
 * @brief overlayfs: read-only layers under a per-container upper dir, OCI whiteouts turned into
 * overlay's form, and the directories a container's overlay lives in under the state root.
 *
 * Order, once and for all: an image lists its layers BASE FIRST (the first layer is the
 * bottom one). overlayfs's `lowerdir=L1:L2:...` lists them TOP FIRST (L1 is looked up first and
 * hides L2). lowerdir_option() takes layers base first, as every boxlab caller holds them, and
 * reverses them.
 */
#pragma once

#include <sys/stat.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "boxlab/sys/unique_fd.hpp"

namespace boxlab::fs {

/// The name of the xattr that makes a directory of a layer or of the upper dir opaque.
inline constexpr const char* kOpaqueXattr = "trusted.overlay.opaque";

/// What a container's overlay is made of.
struct OverlayDirs {
  std::vector<std::string> layers;  ///< read-only layer directories, BASE FIRST (image order)
  std::string upper;                ///< the container's writable layer
  std::string work;                 ///< overlayfs's scratch dir, on the same filesystem as upper
};

/// Escape ':' ',' and '\\' in a path for overlay's mount options (a backslash before each).
std::string escape_overlay_path(std::string_view path);

/// `lowerdir`'s value for @p layers given BASE FIRST: the same dirs, TOP FIRST, ':'-joined.
std::string lowerdir_option(const std::vector<std::string>& layers);

/// mount(2)'s data string: "lowerdir=TOP:...:BASE,upperdir=U,workdir=W".
std::string overlay_options(const OverlayDirs& dirs);

/// What an entry's name means in an OCI layer (image-spec layer.md, "Whiteouts").
struct OciWhiteout {
  /// not a whiteout, a file whiteout (.wh.NAME), or an opaque directory marker (.wh..wh..opq)
  enum class Kind { none, file, opaque };
  Kind kind = Kind::none;  ///< which of the three
  std::string target;  ///< for Kind::file: the name the whiteout deletes (".wh.NAME" -> "NAME")
};

/// Classify a directory entry's name: ".wh..wh..opq" is opaque, ".wh.NAME" deletes NAME.
OciWhiteout parse_oci_whiteout(std::string_view name);

/// True if @p st is overlay's whiteout: a character device 0:0.
bool is_overlay_whiteout(const struct stat& st) noexcept;

/// True if directory @p path has trusted.overlay.opaque=y.
bool is_opaque_dir(const std::string& path);

/**
 * @brief Rewrite the OCI whiteouts of layer directory @p layer in place into overlay's form:
 * `.wh.NAME` becomes a 0:0 character device NAME, `.wh..wh..opq` becomes the xattr
 * trusted.overlay.opaque=y on its directory. Idempotent. Needs CAP_MKNOD and CAP_SYS_ADMIN
 * (trusted.* xattrs). Returns how many whiteouts it converted.
 */
int convert_whiteouts(const std::string& layer);

/**
 * @brief An overlay mounted at a target directory; unmounted (MNT_DETACH) on destruction.
 */
class OverlayMount {
 public:
  /// mount -t overlay overlay -o overlay_options(dirs) target. Checks every dir exists first.
  static OverlayMount mount(const OverlayDirs& dirs, const std::string& target);
  /// Take over @p other's mount; @p other then owns nothing.
  OverlayMount(OverlayMount&& other) noexcept : target_(std::exchange(other.target_, {})) {}
  OverlayMount& operator=(OverlayMount&&) = delete;
  ~OverlayMount();

  /// Where it is mounted (empty once moved from or unmounted).
  const std::string& target() const noexcept { return target_; }
  /// Unmount now; throws on failure (the destructor only reports).
  void unmount();

 private:
  explicit OverlayMount(std::string target) : target_(std::move(target)) {}
  std::string target_;
};

/**
 * @brief A container's overlay directories under the state root: `<overlay_root>/<id>/` holds
 * `layers` (the layer dirs, base first, one per line), `upper/`, `work/`, `merged/` and a
 * `lock` its runtime holds while it runs (as container records do, state.hpp).
 */
class ContainerLayer {
 public:
  /// Create the directories of container @p id with @p layers (base first), locked. With
  /// @p keep, upper/ and the layer list stay after the end (a `kept` file says so), for `diff`.
  static ContainerLayer create(const std::string& overlay_root, const std::string& id,
                               const std::vector<std::string>& layers, bool keep);
  /// Take up the kept directories of container @p id again (to start it again): locked, with
  /// fresh work/ and merged/; kept again at the end.
  static ContainerLayer reopen(const std::string& overlay_root, const std::string& id);
  /// Take over @p other's directories; @p other then owns nothing.
  ContainerLayer(ContainerLayer&& other) noexcept
      : dir_(std::exchange(other.dir_, {})), dirs_(std::move(other.dirs_)), lock_(std::move(other.lock_)),
        keep_(other.keep_) {}
  ContainerLayer& operator=(ContainerLayer&&) = delete;
  /// Removes the directories; when kept, only work/ and merged/ go.
  ~ContainerLayer();

  /// &lt;overlay root&gt;/&lt;id&gt;: the container's directory.
  const std::string& directory() const noexcept { return dir_; }
  /// Where the overlay is mounted: the container's rootfs.
  std::string merged() const { return dir_ + "/merged"; }
  /// The lower, upper and work directories of its overlay.
  OverlayDirs dirs() const { return dirs_; }

 private:
  ContainerLayer(std::string dir, OverlayDirs dirs, sys::UniqueFd lock, bool keep)
      : dir_(std::move(dir)), dirs_(std::move(dirs)), lock_(std::move(lock)), keep_(keep) {}
  std::string dir_;
  OverlayDirs dirs_;
  sys::UniqueFd lock_;
  bool keep_ = false;
};

/// The overlay dirs of container @p id (or a unique prefix of it) under @p overlay_root, as
/// recorded by ContainerLayer::create. Throws if none or several match.
OverlayDirs find_container_layer(const std::string& overlay_root, const std::string& id, std::string* full_id = nullptr);

/// Remove the overlay dirs of container @p id (or a unique prefix); refuses a running one.
void remove_container_layer(const std::string& overlay_root, const std::string& id);

/// Unmount and remove what runtimes that died left under @p overlay_root (lock free); a kept
/// container's upper dir and layer list stay. Returns how many it cleaned.
int sweep_container_layers(const std::string& overlay_root);

}  // namespace boxlab::fs
