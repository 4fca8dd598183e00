// Bind mounts: showing a host path inside the container.
//
// A bind mount makes a directory (or a file) visible at a second place; both names are the same
// inode, so writes on one side are seen on the other. That is how `-v /host:/ctr`, named
// volumes and the `--init` binary reach the container.
//
// The catch is timing. The source is a host path, so it must be opened before pivot_root
// throws the host's tree away; the destination is a container path, so it must be looked up
// after, when "/" is the container's root: then a destination that is a symlink, even an
// absolute one or one full of "..", resolves inside the container and can never land on the
// host (runc needed CVE-2021-30465's fix for exactly this race). The new mount API splits a
// bind in these two halves: open_tree(2) with OPEN_TREE_CLONE takes a detached copy of the
// source now, move_mount(2) attaches it later. mount_setattr(2) makes the detached tree
// read-only (and nosuid, nodev, noexec) before anyone can see it, recursively for rbind,
// which the old mount(2) could only do one mount at a time.
//
// Interface: is_bind_mount, DetachedTree, take_bind_sources
#include "boxlab/fs/bind_mount.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <deque>
#include <filesystem>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::fs {
namespace {

bool has_option(const Mount& mount, const std::string& option) {
  return std::find(mount.options.begin(), mount.options.end(), option) != mount.options.end();
}

// The MOUNT_ATTR_* bits of the mount's options (mount_setattr(2)).
uint64_t attributes_of(const Mount& mount) {
  uint64_t attr = 0;
  if (has_option(mount, "ro")) attr |= MOUNT_ATTR_RDONLY;
  if (has_option(mount, "nosuid")) attr |= MOUNT_ATTR_NOSUID;
  if (has_option(mount, "nodev")) attr |= MOUNT_ATTR_NODEV;
  if (has_option(mount, "noexec")) attr |= MOUNT_ATTR_NOEXEC;
  return attr;
}

std::optional<struct stat> lstat_if_exists(const std::string& path) {
  try {
    return sys::lstat(path);
  } catch (const Error& e) {
    if (e.errno_value() == ENOENT) return std::nullopt;
    throw;
  }
}

// Split "a/b/../c" into its names.
std::deque<std::string> names_of(const std::string& path) {
  std::deque<std::string> names;
  for (const auto& part : std::filesystem::path(path)) {
    std::string name = part.string();
    if (!name.empty() && name != "/" && name != ".") names.push_back(name);
  }
  return names;
}

// Walk @p destination one name at a time in the current root, following symlinks by hand and
// creating what is missing, and return the path with no symlink left in it. After pivot_root
// "/" is the container's root and ".." stops there, so no symlink can lead out of it
// (filepath-securejoin's MkdirAll does the same for runc).
std::string create_mount_point(const std::string& destination, bool is_directory) {
  std::deque<std::string> todo = names_of(destination);
  std::filesystem::path resolved = "/";
  int symlinks = 0;
  while (!todo.empty()) {
    std::string name = todo.front();
    todo.pop_front();
    if (name == "..") {
      resolved = resolved.parent_path();
      continue;
    }
    std::filesystem::path next = resolved / name;
    std::optional<struct stat> st = lstat_if_exists(next);
    if (!st) {
      if (!todo.empty() || is_directory) sys::mkdir(next, 0755);
      else sys::open(next, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      resolved = next;
    } else if (S_ISLNK(st->st_mode)) {
      if (++symlinks > 40) throw Error(ELOOP, "resolve " + destination);
      std::string target = sys::readlink(next);
      if (!target.empty() && target[0] == '/') resolved = "/";
      auto more = names_of(target);
      todo.insert(todo.begin(), more.begin(), more.end());
    } else {
      resolved = next;
    }
  }
  return resolved;
}

}  // namespace

bool is_bind_mount(const Mount& mount) {
  return mount.type == "bind" || has_option(mount, "bind") || has_option(mount, "rbind");
}

DetachedTree DetachedTree::take(const Mount& mount) {
  if (!sys::exists(mount.source)) throw Error("bind source path does not exist: " + mount.source);
  bool recursive = mount.type == "rbind" || has_option(mount, "rbind");
  sys::UniqueFd fd = sys::open_tree_clone(mount.source, recursive);
  if (uint64_t attr = attributes_of(mount)) sys::mount_setattr(fd.get(), mount.source, attr, recursive);
  struct stat st = sys::stat(mount.source);
  return DetachedTree(std::move(fd), S_ISDIR(st.st_mode));
}

void DetachedTree::attach(const Mount& mount) const {
  with_context("bind " + mount.source + " on " + mount.destination, [&] {
    sys::move_mount(fd_.get(), create_mount_point(mount.destination, is_directory_));
  });
}

std::vector<std::optional<DetachedTree>> take_bind_sources(const std::vector<Mount>& mounts) {
  std::vector<std::optional<DetachedTree>> trees;
  for (const auto& m : mounts) {
    if (is_bind_mount(m)) trees.push_back(with_context("bind " + m.source, [&] { return DetachedTree::take(m); }));
    else trees.push_back(std::nullopt);
  }
  return trees;
}

}  // namespace boxlab::fs
