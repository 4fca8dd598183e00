// Unpacking a layer, confined by the kernel.
//
// A layer is a tar stream (image-spec layer.md), usually gzip-compressed, written by someone
// we do not trust. Tar names are just strings: "../../etc/cron.d/x", "/etc/passwd", or a
// symlink "lib -> /" followed by "lib/etc/shadow" have all been used to write outside an
// extraction directory (CVE-2018-15664 in Docker's cp, CVE-2019-14271, go-archive's many
// "breakout" fixes). Checking strings is not enough, because symlinks created by earlier entries
// change what a later name means.
//
// So the kernel does the confining. The target directory is opened once; every entry's parent
// is opened with openat2(2) and RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, which resolves "..",
// absolute symlinks and /proc magic links as if the target were "/" (the same idea as Go's
// os.Root, which go-archive moved to). By default RESOLVE_NO_SYMLINKS is added too: a layer may
// create symlinks but not write through them. The entry itself is then created with an *at call
// on that parent fd (openat with O_EXCL, mkdirat, symlinkat, mknodat, linkat), never by path.
// Hardlink targets are resolved the same way, and linkat(2) without AT_SYMLINK_FOLLOW links the
// name itself, never what a symlink points at.
//
// Strings are still checked first, to give a clear error: absolute names and ".." are refused,
// and so are whiteouts whose target is "", "." or ".." (lab 05's overlay code turns ".wh.NAME"
// into a deletion of NAME; whiteouts are otherwise kept as plain files here). Devices are
// refused unless allowed; FIFOs are allowed (a named pipe is harmless until a container opens
// it, and Docker images such as some init systems ship them); sockets are refused.
//
// The diff_id is the sha256 of the uncompressed tar (image-spec config.md, "rootfs"). Two
// libarchive readers are chained: the outer one only decompresses (format "raw"), and its bytes
// are hashed and counted on their way into the inner tar reader. Counting there caps the total
// (a gzip of zeros expands 1000 times), and the declared size of each entry is checked before
// its data is read.
//
// unpack_layer makes it all or nothing: it unpacks into layers/.tmp-<random> and renames that to
// layers/<diff_id hex> only once the diff_id is known and checked; a failure removes the
// temporary directory, and one left by a killed process is removed by the next unpack.
//
// Interface: unpack_into, unpack_layer, remove_unpacked
#include "boxlab/image/unpack.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::image {

namespace {

namespace stdfs = std::filesystem;
using ArchivePtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

std::string archive_error(archive* a) {
  const char* text = archive_error_string(a);
  return text ? text : "unknown libarchive error";
}

// The decompressed stream: read from the outer archive, hashed and counted, fed to the inner.
struct HashedStream {
  archive* outer = nullptr;
  Sha256 hasher;
  uint64_t bytes = 0;
  uint64_t max_bytes = 0;
  std::string error;  // set when a read fails; libarchive's callbacks cannot throw
};

la_ssize_t read_hashed(archive*, void* context, const void** buffer) {
  auto* s = static_cast<HashedStream*>(context);
  size_t size = 0;
  la_int64_t offset = 0;
  int r = archive_read_data_block(s->outer, buffer, &size, &offset);
  if (r == ARCHIVE_EOF) return 0;
  if (r < ARCHIVE_WARN) {
    s->error = "decompress: " + archive_error(s->outer);
    return -1;
  }
  s->bytes += size;
  if (s->bytes > s->max_bytes) {
    s->error = "the uncompressed layer is larger than the limit of " + std::to_string(s->max_bytes) +
               " bytes (a decompression bomb?)";
    return -1;
  }
  try {
    s->hasher.update({static_cast<const char*>(*buffer), size});
  } catch (const Error& e) {
    s->error = e.what();
    return -1;
  }
  return static_cast<la_ssize_t>(size);
}

ArchivePtr open_outer(const stdfs::path& layer) {
  ArchivePtr a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_filename(a.get(), layer.c_str(), 1 << 16) != ARCHIVE_OK)
    throw Error("open " + layer.string() + ": " + archive_error(a.get()));
  archive_entry* entry = nullptr;
  if (archive_read_next_header(a.get(), &entry) != ARCHIVE_OK)
    throw Error("read " + layer.string() + ": " + archive_error(a.get()));
  return a;
}

// Split a tar name into components, refusing absolute names and "..".
std::vector<std::string> split_name(const std::string& name) {
  if (name.starts_with('/')) throw Error("absolute name (a layer's names are relative to its root)");
  std::vector<std::string> parts;
  for (size_t start = 0; start <= name.size();) {
    size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    std::string part = name.substr(start, slash - start);
    if (part == "..") throw Error("'..' would leave the layer");
    if (!part.empty() && part != ".") parts.push_back(part);
    start = slash + 1;
  }
  return parts;
}

std::string join(const std::vector<std::string>& parts, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) out += (i ? "/" : "") + parts[i];
  return out;
}

void check_whiteouts(const std::vector<std::string>& parts, bool regular_file) {
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!parts[i].starts_with(".wh.")) continue;
    std::string target = parts[i].substr(4);
    if (i + 1 != parts.size()) throw Error("whiteout '" + parts[i] + "' is used as a directory");
    if (target.empty() || target == "." || target == "..")
      throw Error("whiteout '" + parts[i] + "' names '" + target + "', which is not an entry of its directory");
    if (!regular_file) throw Error("whiteout '" + parts[i] + "' is not a regular file");
  }
}

// One layer being unpacked beneath root_fd.
class Unpacker {
 public:
  Unpacker(int root_fd, const UnpackOptions& options) : root_fd_(root_fd), options_(options) {}
  void entry(archive* a, archive_entry* e);
  void create(archive* a, archive_entry* e, const std::vector<std::string>& parts);
  void finish();

 private:
  struct Pending {
    std::string path;
    mode_t mode;
    timespec mtime;
  };
  uint64_t resolve_flags() const {
    return RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (options_.through_symlinks ? 0 : RESOLVE_NO_SYMLINKS);
  }
  sys::UniqueFd open_dir(const std::string& path, int flags = O_PATH) const;
  int parent_of(const std::vector<std::string>& parts);
  void clear_name(int parent, const std::string& name);
  void write_file(archive* a, archive_entry* e, int parent, const std::string& name);
  void set_owner_and_time(archive_entry* e, int parent, const std::string& name);

  int root_fd_;
  const UnpackOptions& options_;
  std::string cached_parent_path_ = "\x01";  // the last parent opened, to skip reopening it
  sys::UniqueFd cached_parent_;
  std::vector<Pending> dirs_;  // directory modes and times, applied last (a 0500 dir must stay writable)
};

sys::UniqueFd Unpacker::open_dir(const std::string& path, int flags) const {
  try {
    return sys::openat2(root_fd_, path.empty() ? "." : path, flags | O_DIRECTORY, 0, resolve_flags());
  } catch (Error& e) {
    if (e.errno_value() == ELOOP) throw Error("'" + path + "' is a symlink; a layer may not write through its own symlinks");
    if (e.errno_value() == EXDEV) throw Error("'" + path + "' resolves outside the layer");
    if (e.errno_value() == ENOTDIR) throw Error("'" + path + "' is not a directory");
    throw;
  }
}

// The parent directory of an entry, created (as 0755 directories) if missing.
int Unpacker::parent_of(const std::vector<std::string>& parts) {
  std::string path = join(parts, parts.size() - 1);
  if (path == cached_parent_path_) return cached_parent_.get();
  sys::UniqueFd dir = open_dir("");
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    std::string prefix = join(parts, i + 1);
    try {
      dir = open_dir(prefix);
    } catch (const Error& e) {
      if (e.errno_value() != ENOENT) throw;
      sys::mkdirat(dir.get(), parts[i], 0755, true);
      dir = open_dir(prefix);
    }
  }
  cached_parent_path_ = path;
  cached_parent_ = std::move(dir);
  return cached_parent_.get();
}

// A later entry replaces an earlier one of the same name (tar semantics); directories stay.
void Unpacker::clear_name(int parent, const std::string& name) {
  try {
    sys::unlinkat(parent, name, 0);
  } catch (const Error& e) {
    if (e.errno_value() != ENOENT) throw;
  }
}

void Unpacker::write_file(archive* a, archive_entry* e, int parent, const std::string& name) {
  clear_name(parent, name);
  sys::UniqueFd fd = sys::openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  if (archive_entry_size(e) > 0 && archive_read_data_into_fd(a, fd.get()) != ARCHIVE_OK)
    throw Error("read data: " + archive_error(a));
  if (options_.preserve_owners && geteuid() == 0)
    sys::lchownat(parent, name, archive_entry_uid(e), archive_entry_gid(e));  // before chmod: chown clears setuid
  sys::fchmod(fd.get(), archive_entry_perm(e) & 07777, name);
  timespec times[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                       {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
  sys::futimens(fd.get(), times, name);
}

void Unpacker::set_owner_and_time(archive_entry* e, int parent, const std::string& name) {
  if (options_.preserve_owners && geteuid() == 0) sys::lchownat(parent, name, archive_entry_uid(e), archive_entry_gid(e));
  timespec times[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                       {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
  sys::utimensat_nofollow(parent, name, times);
}

void Unpacker::entry(archive* a, archive_entry* e) {
  const char* raw_name = archive_entry_pathname(e);
  if (!raw_name) throw Error("an entry has no name");
  std::vector<std::string> parts = split_name(raw_name);
  mode_t type = archive_entry_filetype(e);
  const char* hardlink = archive_entry_hardlink(e);
  check_whiteouts(parts, type == AE_IFREG && !hardlink);
  if (archive_entry_size(e) < 0 || static_cast<uint64_t>(archive_entry_size(e)) > options_.max_bytes)
    throw Error("declared size " + std::to_string(archive_entry_size(e)) + " is larger than the limit of " +
                std::to_string(options_.max_bytes) + " bytes");
  timespec mtime{archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
  if (parts.empty()) {  // "./": the layer's root itself
    if (type != AE_IFDIR) throw Error("the root of the layer must be a directory");
    dirs_.push_back({"", static_cast<mode_t>(archive_entry_perm(e) & 07777), mtime});
    return;
  }
  create(a, e, parts);
}

// Create the entry @p parts names, by type, with *at calls relative to its confined parent.
void Unpacker::create(archive* a, archive_entry* e, const std::vector<std::string>& parts) {
  int parent = parent_of(parts);
  const std::string& name = parts.back();
  mode_t type = archive_entry_filetype(e);
  timespec mtime{archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
  if (const char* hardlink = archive_entry_hardlink(e)) {
    std::vector<std::string> target = split_name(hardlink);
    if (target.empty()) throw Error("hardlink to the layer's root");
    sys::UniqueFd target_parent = open_dir(join(target, target.size() - 1));
    clear_name(parent, name);
    sys::linkat(target_parent.get(), target.back(), parent, name);
    return;
  }
  switch (type) {
    case AE_IFREG:
      write_file(a, e, parent, name);
      return;
    case AE_IFDIR:
      sys::mkdirat(parent, name, 0700, true);
      open_dir(join(parts, parts.size()));  // an existing symlink of that name is refused here
      if (options_.preserve_owners && geteuid() == 0)
        sys::lchownat(parent, name, archive_entry_uid(e), archive_entry_gid(e));
      dirs_.push_back({join(parts, parts.size()), static_cast<mode_t>(archive_entry_perm(e) & 07777), mtime});
      return;
    case AE_IFLNK:
      clear_name(parent, name);
      sys::symlinkat(archive_entry_symlink(e) ? archive_entry_symlink(e) : "", parent, name);
      set_owner_and_time(e, parent, name);
      return;
    case AE_IFCHR:
    case AE_IFBLK:
      if (!options_.allow_devices) throw Error("device node refused (devices are not allowed in this layer)");
      [[fallthrough]];
    case AE_IFIFO:
      clear_name(parent, name);
      sys::mknodat(parent, name, type | (archive_entry_perm(e) & 07777), archive_entry_rdev(e));
      set_owner_and_time(e, parent, name);
      return;
    default:
      throw Error("entries of type " + std::to_string(type) + " (sockets, ...) are not allowed");
  }
}

void Unpacker::finish() {
  cached_parent_.reset();
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
    sys::UniqueFd dir = open_dir(it->path, O_RDONLY);
    std::string what = it->path.empty() ? "/" : it->path;
    sys::fchmod(dir.get(), it->mode, what);
    timespec times[2] = {it->mtime, it->mtime};
    sys::futimens(dir.get(), times, what);
  }
}

// Drain what the tar reader left (end-of-archive padding) so the diff_id covers every byte.
void drain(HashedStream& stream) {
  const void* buffer = nullptr;
  while (la_ssize_t n = read_hashed(nullptr, &stream, &buffer))
    if (n < 0) throw Error(stream.error);
}

}  // namespace

UnpackResult unpack_into(const stdfs::path& layer, int root_fd, const UnpackOptions& options) {
  return with_context("unpack layer " + layer.string(), [&] {
    ArchivePtr outer = open_outer(layer);
    HashedStream stream;
    stream.outer = outer.get();
    stream.max_bytes = options.max_bytes;
    ArchivePtr tar(archive_read_new(), archive_read_free);
    archive_read_support_format_tar(tar.get());
    if (archive_read_open(tar.get(), &stream, nullptr, read_hashed, nullptr) != ARCHIVE_OK)
      throw Error(stream.error.empty() ? "not a tar archive: " + archive_error(tar.get()) : stream.error);
    Unpacker unpacker(root_fd, options);
    UnpackResult result;
    archive_entry* entry = nullptr;
    for (int r; (r = archive_read_next_header(tar.get(), &entry)) != ARCHIVE_EOF;) {
      if (r < ARCHIVE_WARN) throw Error(stream.error.empty() ? "read tar: " + archive_error(tar.get()) : stream.error);
      if (++result.entries > options.max_entries)
        throw Error("more than " + std::to_string(options.max_entries) + " entries");
      std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
      with_context("entry '" + name + "'", [&] {
        try {
          unpacker.entry(tar.get(), entry);
        } catch (const Error&) {
          if (!stream.error.empty()) throw Error(stream.error);
          throw;
        }
      });
    }
    drain(stream);
    unpacker.finish();
    result.tar_bytes = stream.bytes;
    result.diff_id = stream.hasher.finish();
    return result;
  });
}

namespace {
std::string random_hex() {
  std::string bytes = sys::getrandom(8), out;
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : bytes) out += {kHex[c >> 4], kHex[c & 15]};
  return out;
}
}  // namespace

void remove_unpacked(const stdfs::path& dir) {
  with_context("remove " + dir.string(), [&] {
    if (!stdfs::is_directory(stdfs::symlink_status(dir))) return;
    stdfs::permissions(dir, stdfs::perms::owner_all, stdfs::perm_options::add);
    for (const auto& entry : stdfs::recursive_directory_iterator(dir))  // does not follow symlinks
      if (entry.symlink_status().type() == stdfs::file_type::directory)
        stdfs::permissions(entry.path(), stdfs::perms::owner_all, stdfs::perm_options::add);
    stdfs::remove_all(dir);
  });
}

namespace {

// Remove what an unpack killed half-way left (.tmp-* directories). A running unpack holds
// flock(2) on its directory, so a directory whose lock can be taken is abandoned.
void sweep_abandoned(const stdfs::path& layers_dir) {
  for (const auto& entry : stdfs::directory_iterator(layers_dir)) {
    if (!entry.path().filename().string().starts_with(".tmp-")) continue;
    sys::UniqueFd dir = sys::open(entry.path(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (sys::try_lock_exclusive(dir.get())) remove_unpacked(entry.path());
  }
}

}  // namespace

UnpackResult unpack_layer(const stdfs::path& layer, const stdfs::path& layers_dir,
                          const std::optional<Digest>& expected_diff_id, const UnpackOptions& options) {
  if (expected_diff_id && sys::exists(layers_dir / expected_diff_id->hex)) {
    UnpackResult reused{*expected_diff_id, 0, 0, layers_dir / expected_diff_id->hex, true};
    return reused;
  }
  sys::mkdir_all(layers_dir, 0700);
  sweep_abandoned(layers_dir);
  stdfs::path temp = layers_dir / (".tmp-" + random_hex());
  sys::mkdir(temp, 0700);
  try {
    sys::UniqueFd root = sys::open(temp, O_RDONLY | O_DIRECTORY);
    sys::lock_exclusive(root.get());  // tells sweep_abandoned this one is alive
    UnpackResult result = unpack_into(layer, root.get(), options);
    if (expected_diff_id && result.diff_id != *expected_diff_id)
      throw Error("unpack layer " + layer.string() + ": diff_id is " + result.diff_id.str() + ", the config says " +
                  expected_diff_id->str());
    result.dir = layers_dir / result.diff_id.hex;
    if (sys::exists(result.dir)) {  // unpacked meanwhile by someone else: keep theirs
      remove_unpacked(temp);
      result.reused = true;
      return result;
    }
    sys::rename(temp, result.dir);
    return result;
  } catch (...) {
    try {
      remove_unpacked(temp);
    } catch (const std::exception&) {  // keep the first error; the next unpack sweeps it
    }
    throw;
  }
}

}  // namespace boxlab::image
