#include "test_support.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "boxlab/sys/syscall.hpp"

namespace test {

Captured capture(boxlab::sys::SpawnOptions options) {
  auto pipe = boxlab::sys::pipe2();
  options.stdout_fd = pipe.write_end.get();
  options.stderr_fd = pipe.write_end.get();
  boxlab::sys::Child child = boxlab::sys::spawn(options);
  pipe.write_end.reset();
  std::string out;
  char buf[4096];
  while (size_t n = boxlab::sys::read(pipe.read_end.get(), buf, sizeof buf)) out.append(buf, n);
  return {child.wait(), out};
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "boxlab-test.XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<std::string> mount_table() {
  std::ifstream in("/proc/self/mountinfo");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<int> child_pids() {
  std::vector<int> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string all((std::istreambuf_iterator<char>(stat)), {});
    // Field 4 (ppid) follows the comm field, which ends with the last ')'.
    size_t close = all.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(all.substr(close + 2));
    std::string state;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid == ::getpid()) pids.push_back(std::stoi(name));
  }
  return pids;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

void write_text(const std::filesystem::path& path, const std::string& text) { std::ofstream(path) << text; }

std::filesystem::path busybox_rootfs() { return std::filesystem::path(BOXLAB_BUSYBOX_DIR) / "rootfs"; }

}  // namespace test
