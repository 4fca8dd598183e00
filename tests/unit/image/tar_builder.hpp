// Builds layer tarballs in a test with libarchive's writer, so hostile layers are made in code
// and no binary fixture is committed. Used by tests/unit/image and tests/root/image.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace test {

/// A tar (optionally gzip) being written to a file; entries are added in order.
class TarBuilder {
 public:
  enum class Compression { kNone, kGzip };
  explicit TarBuilder(const std::filesystem::path& path, Compression compression = Compression::kNone)
      : a_(archive_write_new()) {
    archive_write_set_format_pax_restricted(a_);
    if (compression == Compression::kGzip) archive_write_add_filter_gzip(a_);
    if (archive_write_open_filename(a_, path.c_str()) != ARCHIVE_OK) fail("open");
  }
  ~TarBuilder() { archive_write_free(a_); }
  TarBuilder(const TarBuilder&) = delete;
  TarBuilder& operator=(const TarBuilder&) = delete;

  TarBuilder& file(const std::string& name, const std::string& data, mode_t mode = 0644) {
    return add(name, AE_IFREG, mode, static_cast<int64_t>(data.size()), [&](archive_entry*) {}, data);
  }
  /// A regular file of @p size zero bytes, written in chunks (for bombs).
  TarBuilder& zeros(const std::string& name, int64_t size) {
    entry_header(name, AE_IFREG, 0644, size, [](archive_entry*) {});
    std::string chunk(1 << 20, '\0');
    for (int64_t left = size; left > 0; left -= static_cast<int64_t>(chunk.size()))
      archive_write_data(a_, chunk.data(), static_cast<size_t>(std::min<int64_t>(left, chunk.size())));
    return *this;
  }
  TarBuilder& dir(const std::string& name, mode_t mode = 0755) {
    return add(name, AE_IFDIR, mode, 0, [](archive_entry*) {});
  }
  TarBuilder& symlink(const std::string& name, const std::string& target) {
    return add(name, AE_IFLNK, 0777, 0, [&](archive_entry* e) { archive_entry_set_symlink(e, target.c_str()); });
  }
  TarBuilder& hardlink(const std::string& name, const std::string& target) {
    return add(name, AE_IFREG, 0644, 0, [&](archive_entry* e) { archive_entry_set_hardlink(e, target.c_str()); });
  }
  TarBuilder& node(const std::string& name, mode_t type, dev_t dev = 0) {
    return add(name, type, 0644, 0, [&](archive_entry* e) { archive_entry_set_rdev(e, dev); });
  }
  TarBuilder& owned(const std::string& name, const std::string& data, int64_t uid, int64_t gid) {
    return add(name, AE_IFREG, 0640, static_cast<int64_t>(data.size()), [&](archive_entry* e) {
      archive_entry_set_uid(e, uid);
      archive_entry_set_gid(e, gid);
    }, data);
  }
  void close() {
    if (archive_write_close(a_) != ARCHIVE_OK) fail("close");
  }

 private:
  template <typename Fn>
  TarBuilder& entry_header(const std::string& name, mode_t type, mode_t mode, int64_t size, Fn&& fn) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, mode);
    archive_entry_set_size(e, size);
    archive_entry_set_mtime(e, 946684800, 0);
    fn(e);
    int r = archive_write_header(a_, e);
    archive_entry_free(e);
    if (r != ARCHIVE_OK) fail("header " + name);
    return *this;
  }
  template <typename Fn>
  TarBuilder& add(const std::string& name, mode_t type, mode_t mode, int64_t size, Fn&& fn, const std::string& data = {}) {
    entry_header(name, type, mode, size, fn);
    if (!data.empty()) archive_write_data(a_, data.data(), data.size());
    return *this;
  }
  [[noreturn]] void fail(const std::string& what) {
    const char* text = archive_error_string(a_);
    throw std::runtime_error("tar builder: " + what + ": " + (text ? text : "?"));
  }
  archive* a_;
};

/// A tar made by hand: one ustar header for @p name declaring @p size bytes (base-256 encoded,
/// as GNU tar does beyond 8 GiB) followed by a few bytes of data and no end. libarchive's writer
/// would pad the data to the declared size, so this one is written directly.
inline void write_huge_declared_tar(const std::filesystem::path& path, const std::string& name, uint64_t size) {
  char header[512] = {};
  name.copy(header, 99);
  std::string mode = "0000644", owner = "0000000", mtime = "00000000000";
  mode.copy(header + 100, 7);
  owner.copy(header + 108, 7);
  owner.copy(header + 116, 7);
  header[124] = static_cast<char>(0x80);  // base-256 size
  for (int i = 0; i < 8; ++i) header[135 - i] = static_cast<char>((size >> (8 * i)) & 0xff);
  mtime.copy(header + 136, 11);
  header[156] = '0';
  std::string("ustar").copy(header + 257, 5);
  header[263] = '0';
  header[264] = '0';
  std::memset(header + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : header) sum += c;
  std::snprintf(header + 148, 8, "%06o", sum);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(header, 1, sizeof header, f);
  std::fwrite("data", 1, 4, f);
  std::fclose(f);
}

}  // namespace test
