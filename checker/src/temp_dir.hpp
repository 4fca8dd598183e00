// A directory that exists for one check and is removed with everything in it afterwards.
#pragma once

#include <filesystem>
#include <string>

namespace checker {

/// Creates /tmp/<prefix>XXXXXX (mode 0755, so an unprivileged uid in a user namespace can
/// reach the probe) and removes it recursively on destruction. Never throws from the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace checker
