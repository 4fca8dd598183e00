// Helpers shared by the tests: run a command and capture its output, make temp dirs, and
// snapshot what a test must not leave behind (mounts, child processes).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "boxlab/sys/process.hpp"

namespace test {

/// The output and status of a finished command.
struct Captured {
  boxlab::sys::ExitStatus status;
  std::string out;
};

/// Run @p options (stdout and stderr captured together) and wait for it.
Captured capture(boxlab::sys::SpawnOptions options);

/// A temporary directory removed (recursively) at the end of the scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// The calling process's mount table (/proc/self/mountinfo), one line per mount.
std::vector<std::string> mount_table();

/// PIDs of the calling process's children still alive (from /proc/*/stat).
std::vector<int> child_pids();

/// The whole content of file @p path, bytes as they are ("" when it cannot be read).
std::string slurp(const std::filesystem::path& path);

/// Replace file @p path's content with @p text.
void write_text(const std::filesystem::path& path, const std::string& text);

/// The busybox rootfs made by the build (scripts/make-busybox-image.sh).
std::filesystem::path busybox_rootfs();

}  // namespace test
