// A container's overlay directories under the state root, and the sweep of those left behind.
//
// Each container run on layers gets `<state root>/overlay/<id>/`: `upper/` (its writes),
// `work/` (overlay's scratch space, same filesystem as upper), `merged/` (the mount point, the
// container's root) and `layers`, the layer directories base first, one per line, so `diff`
// and `rm` can find them after the runtime is gone. Docker keeps the same per-container
// trio under /var/lib/docker/overlay2/<id>/{diff,work,merged}.
//
// The upper dir is the container's writable layer: when the container is removed, its writes
// go with it. That is why `docker run` without a volume loses data, and why lab 05 removes the
// directories when the container ends, unless `--keep` asks to keep upper/ for `diff`.
//
// As with container records (container/state.cpp), the runtime holds `lock` while the
// container runs; a directory whose lock is free belongs to a runtime that died: the sweep
// unmounts its merged/ and removes it (keeping upper/ if it was to be kept). A directory with
// no lock is a kept container's that ended, or one a runtime died creating (no `kept`). A lock on the
// overlay root, held while creating and while sweeping, keeps a sweep from seeing a directory
// before its runtime holds its lock.
//
// Interface: ContainerLayer::reopen, ContainerLayer::{create,~ContainerLayer}, find_container_layer,
//   remove_container_layer, sweep_container_layers
#include <fcntl.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "boxlab/fs/overlay.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::fs {
namespace {

namespace stdfs = std::filesystem;

sys::UniqueFd lock_root(const std::string& overlay_root) {
  sys::mkdir_all(overlay_root, 0700);
  sys::UniqueFd fd = sys::open(overlay_root + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  sys::lock_exclusive(fd.get());
  return fd;
}

void create_file(const std::string& path, std::string_view data) {
  sys::UniqueFd fd = sys::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  sys::write_all(fd.get(), data);
}

OverlayDirs dirs_of(const std::string& dir) {
  OverlayDirs dirs;
  std::istringstream lines(sys::read_file(dir + "/layers"));
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) dirs.layers.push_back(line);
  dirs.upper = dir + "/upper";
  dirs.work = dir + "/work";
  return dirs;
}

// True if no runtime holds @p dir's lock (it died, or the container ended and was kept).
bool owner_is_gone(const std::string& dir) {
  try {
    sys::UniqueFd lock = sys::open(dir + "/lock", O_RDWR | O_CLOEXEC);
    return sys::try_lock_exclusive(lock.get());
  } catch (const Error&) {
    return true;
  }
}

// Unmount merged/ if a dead runtime left it mounted; EINVAL means it is not a mount point.
void unmount_merged(const std::string& dir) {
  try {
    sys::umount2(dir + "/merged", MNT_DETACH);
  } catch (const Error& e) {
    if (e.code().value() != EINVAL && e.code().value() != ENOENT) throw;
  }
}

// Remove @p dir, or with @p keep everything but upper/, layers and kept.
void remove_dir(const std::string& dir, bool keep) {
  if (!keep) {
    stdfs::remove_all(dir);
    return;
  }
  for (const char* scratch : {"/work", "/merged", "/lock"}) stdfs::remove_all(dir + scratch);
}

std::string resolve(const std::string& overlay_root, const std::string& prefix) {
  std::vector<std::string> matches;
  if (stdfs::is_directory(overlay_root))
    for (const auto& entry : stdfs::directory_iterator(overlay_root)) {
      std::string name = entry.path().filename();
      if (entry.is_directory() && !prefix.empty() && name.rfind(prefix, 0) == 0) matches.push_back(name);
    }
  if (matches.empty()) throw Error("no such container: " + prefix);
  if (matches.size() > 1) throw Error("container id prefix " + prefix + " is ambiguous");
  return matches.front();
}

}  // namespace

ContainerLayer ContainerLayer::create(const std::string& overlay_root, const std::string& id,
                                      const std::vector<std::string>& layers, bool keep) {
  sys::UniqueFd root_lock = lock_root(overlay_root);
  std::string dir = overlay_root + "/" + id;
  sys::mkdir(dir, 0700);
  sys::UniqueFd lock = sys::open(dir + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  sys::lock_exclusive(lock.get());
  ContainerLayer layer(dir, {}, std::move(lock), false);  // from here on, its destructor cleans
  std::string list;
  for (const auto& l : layers) list += l + "\n";
  create_file(dir + "/layers", list);
  if (keep) create_file(dir + "/kept", "");
  for (const char* sub : {"/upper", "/work", "/merged"}) sys::mkdir(dir + sub, 0755);
  layer.dirs_ = dirs_of(dir);
  layer.keep_ = keep;  // only once complete: a half-made directory goes entirely
  return layer;
}

ContainerLayer ContainerLayer::reopen(const std::string& overlay_root, const std::string& id) {
  sys::UniqueFd root_lock = lock_root(overlay_root);
  std::string dir = overlay_root + "/" + id;
  if (!sys::exists(dir + "/kept")) throw Error("container " + id + " has no kept writable layer in " + overlay_root);
  sys::UniqueFd lock = sys::open(dir + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (!sys::try_lock_exclusive(lock.get())) throw Error("container " + id + "'s writable layer is in use");
  for (const char* sub : {"/work", "/merged"}) sys::mkdir(dir + sub, 0755, true);
  return ContainerLayer(dir, dirs_of(dir), std::move(lock), true);
}

ContainerLayer::~ContainerLayer() {
  if (dir_.empty()) return;
  try {
    remove_dir(dir_, keep_);
  } catch (const std::exception& e) {
    // The next sweep removes it: its lock is free once we are gone.
    std::fprintf(stderr, "warning: remove %s: %s\n", dir_.c_str(), e.what());
  }
}

OverlayDirs find_container_layer(const std::string& overlay_root, const std::string& id, std::string* full_id) {
  std::string name = resolve(overlay_root, id);
  if (full_id) *full_id = name;
  return dirs_of(overlay_root + "/" + name);
}

void remove_container_layer(const std::string& overlay_root, const std::string& id) {
  sys::UniqueFd root_lock = lock_root(overlay_root);
  std::string dir = overlay_root + "/" + resolve(overlay_root, id);
  if (!owner_is_gone(dir)) throw Error("container " + id + " is running: stop it first");
  unmount_merged(dir);
  remove_dir(dir, false);
}

int sweep_container_layers(const std::string& overlay_root) {
  if (!sys::exists(overlay_root)) return 0;
  sys::UniqueFd root_lock = lock_root(overlay_root);
  int cleaned = 0;
  for (const auto& entry : stdfs::directory_iterator(overlay_root)) {
    std::string dir = entry.path();
    if (!entry.is_directory()) continue;
    bool kept = sys::exists(dir + "/kept");
    // No lock: a kept container that ended (leave it), or a runtime that died while creating.
    if (sys::exists(dir + "/lock") ? !owner_is_gone(dir) : kept) continue;
    try {
      unmount_merged(dir);
      remove_dir(dir, kept);
      ++cleaned;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "warning: sweep %s: %s\n", dir.c_str(), e.what());
    }
  }
  return cleaned;
}

}  // namespace boxlab::fs
