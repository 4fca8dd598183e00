// Copy-up: a new volume starts with what the image had at its mount point.
//
// `docker run -v data:/var/lib/mysql mysql` finds the image's files in the new volume: when a
// container is created, Docker copies the image's directory at the destination into the
// volume, but only while the volume is empty (moby's copyExistingContents), so existing data is
// never overwritten and a second container sees what the first one wrote. `nocopy` turns it
// off; bind mounts never copy (they hide what the image had, as mount(2) always does).
//
// The source is a tree we do not trust: its names and symlinks come from an image. So it is
// read the way image/unpack.cpp writes one. The directory at PATH is opened once with
// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) beneath the rootfs, so a symlinked PATH, or
// one full of "..", resolves inside the container's root as it would in the container. Below
// it, each entry is a single name opened from its parent's descriptor with O_NOFOLLOW: a
// symlink is read with readlink(2) and recreated as a symlink, never followed, so a link to
// /etc/shadow copies the link, not the host's file. Listing, lstat and readlink go through the
// descriptor's name in /proc/self/fd, which the kernel resolves to that very directory.
//
// What is kept: contents, type (directories, files, symlinks, FIFOs, device nodes; sockets are
// skipped), permission bits, owners (only as root, chown before chmod since chown clears
// setuid), access and modification times (a directory's after its children are written), and
// hardlinks within the tree. Extended attributes are not copied.
//
// Interface: populate_from_image
#include "boxlab/container/volume_copy_up.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <utility>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::container {

namespace {

namespace stdfs = std::filesystem;

constexpr uint64_t kConfined = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

// The path the kernel resolves to the directory open as @p dir_fd (and, with @p name, to that
// entry of it, the last name not followed by lstat and readlink).
std::string fd_path(int dir_fd, const std::string& name = {}) {
  return "/proc/self/fd/" + std::to_string(dir_fd) + (name.empty() ? "" : "/" + name);
}

// The image's directory at @p path, confined to @p rootfs; nullopt when there is none.
std::optional<sys::UniqueFd> open_source(const std::string& rootfs, const std::string& path) {
  sys::UniqueFd root = sys::open(rootfs, O_PATH | O_DIRECTORY);
  try {
    return sys::openat2(root.get(), path, O_RDONLY | O_DIRECTORY, 0, kConfined);
  } catch (const Error& e) {
    if (e.errno_value() == ENOENT) return std::nullopt;
    if (e.errno_value() != ENOTDIR) throw;
  }
  try {
    sys::openat2(root.get(), path, O_PATH, 0, kConfined);  // ENOTDIR again: a parent is a file
  } catch (const Error& e) {
    if (e.errno_value() == ENOENT || e.errno_value() == ENOTDIR) return std::nullopt;
    throw;
  }
  throw Error("cannot mount volume over existing file, file exists " + path);
}

bool is_empty(const std::string& dir) { return stdfs::directory_iterator(dir) == stdfs::directory_iterator(); }

void copy_data(int from, int to) {
  char buffer[1 << 16];
  while (size_t n = sys::read(from, buffer, sizeof buffer)) sys::write_all(to, {buffer, n});
}

// Owner, mode and times of entry @p name of @p dir from @p st (the mode not for a symlink).
void copy_metadata(int dir, const std::string& name, const struct stat& st) {
  if (geteuid() == 0) sys::lchownat(dir, name, st.st_uid, st.st_gid);
  if (!S_ISLNK(st.st_mode)) sys::chmod(fd_path(dir, name), st.st_mode & 07777);
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  sys::utimensat_nofollow(dir, name, times);
}

// One tree copied from a source directory descriptor into a destination one.
class TreeCopy {
 public:
  explicit TreeCopy(int destination_root) : destination_root_(destination_root) {}
  void directory(int from, int to, const std::string& relative);

 private:
  void entry(int from, int to, const std::string& name, const std::string& relative);
  bool linked(const struct stat& st, int to, const std::string& name, const std::string& relative);
  int destination_root_;
  std::map<std::pair<dev_t, ino_t>, std::string> copied_;  // hardlinked inodes: first copy's path
};

void TreeCopy::directory(int from, int to, const std::string& relative) {
  for (const auto& e : stdfs::directory_iterator(fd_path(from))) {
    std::string name = e.path().filename();
    entry(from, to, name, relative + name);
  }
}

// A second name of an inode already copied becomes a hardlink to that copy.
bool TreeCopy::linked(const struct stat& st, int to, const std::string& name, const std::string& relative) {
  if (S_ISDIR(st.st_mode) || st.st_nlink < 2) return false;
  auto [first, inserted] = copied_.try_emplace({st.st_dev, st.st_ino}, relative);
  if (inserted) return false;
  sys::linkat(destination_root_, first->second, to, name);
  return true;
}

void TreeCopy::entry(int from, int to, const std::string& name, const std::string& relative) {
  struct stat st = sys::lstat(fd_path(from, name));
  if (S_ISSOCK(st.st_mode) || linked(st, to, name, relative)) return;
  if (S_ISDIR(st.st_mode)) {
    sys::mkdirat(to, name, 0700);  // writable while it fills; its own mode is set last
    sys::UniqueFd source = sys::openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    sys::UniqueFd target = sys::openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    directory(source.get(), target.get(), relative + "/");
  } else if (S_ISREG(st.st_mode)) {
    sys::UniqueFd source = sys::openat(from, name, O_RDONLY | O_NOFOLLOW);
    sys::UniqueFd target = sys::openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
    copy_data(source.get(), target.get());
  } else if (S_ISLNK(st.st_mode)) {
    sys::symlinkat(sys::readlink(fd_path(from, name)), to, name);
  } else {  // a FIFO or a device node
    sys::mknodat(to, name, st.st_mode & (S_IFMT | 07777), st.st_rdev);
  }
  copy_metadata(to, name, st);
}

bool copy_if_empty(const std::string& volume_data, const std::string& rootfs, const std::string& path) {
  // LAB 09 BEGIN: open the image's directory confined to the rootfs; copy it only into an empty volume
  std::optional<sys::UniqueFd> source = open_source(rootfs, path);
  if (!source || !is_empty(volume_data)) return false;
  sys::UniqueFd target = sys::open(volume_data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  TreeCopy(target.get()).directory(source->get(), target.get(), "");
  copy_metadata(target.get(), ".", sys::stat(fd_path(source->get())));  // the volume's root, as moby's copyOwnership
  return true;
  // LAB 09 END
}

}  // namespace

bool populate_from_image(const std::string& volume_data, const std::string& rootfs, const std::string& path) {
  return with_context("copy " + path + " of the image into volume " + volume_data,
                      [&] { return copy_if_empty(volume_data, rootfs, path); });
}

}  // namespace boxlab::container
