// TempDir: a fresh, uniquely named directory per check, removed afterwards.
#include "temp_dir.hpp"

#include <random>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace checker {

namespace stdfs = std::filesystem;

namespace {

std::string random_suffix() {
  static std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 6; ++i) s += kChars[rng() % (sizeof kChars - 1)];
  return s;
}

}  // namespace

TempDir::TempDir(const std::string& prefix) {
  stdfs::path base = stdfs::temp_directory_path();
  for (int attempt = 0;; ++attempt) {
    stdfs::path candidate = base / (prefix + random_suffix());
    try {
      boxlab::sys::mkdir(candidate.string(), 0755);
      boxlab::sys::chmod(candidate.string(), 0755);  // mkdir applies the umask
      path_ = candidate;
      return;
    } catch (const boxlab::Error& e) {
      if (e.errno_value() != EEXIST || attempt > 100) throw;
    }
  }
}

TempDir::~TempDir() {
  std::error_code ignored;
  stdfs::remove_all(path_, ignored);
}

}  // namespace checker
