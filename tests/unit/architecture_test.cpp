// Keeps ARCHITECTURE.md's rules true: a core module includes only modules in layers below it,
// and raw system calls appear only in core/src/sys.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "catch.hpp"

namespace {

namespace stdfs = std::filesystem;
const stdfs::path kCore = stdfs::path(BOXLAB_SOURCE_DIR) / "core";

// ARCHITECTURE.md, "Layers of core".
const std::map<std::string, int> kLayer{
    {"sys", 0},   {"ns", 1},        {"fs", 1},    {"cgroup", 1},  {"security", 1}, {"image", 2},
    {"net", 2},   {"container", 3}, {"build", 4}, {"compose", 4}, {"pod", 4},      {"engine", 5},
};

std::string read(const stdfs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<stdfs::path> core_files() {
  std::vector<stdfs::path> out;
  for (const auto& e : stdfs::recursive_directory_iterator(kCore))
    if (e.path().extension() == ".cpp" || e.path().extension() == ".hpp") out.push_back(e.path());
  return out;
}

std::string module_of(const stdfs::path& file) {
  stdfs::path rel = stdfs::relative(file, kCore);
  auto it = rel.begin();
  ++it;                                    // "src" or "include"
  if (rel.begin()->string() == "include") ++it;  // "boxlab"
  return it->string();
}

}  // namespace

TEST_CASE("core modules include only their own layer's helpers and lower layers", "[architecture]") {
  std::regex include_re(R"re(#include "boxlab/(\w+)/)re");
  for (const auto& file : core_files()) {
    std::string module = module_of(file);
    REQUIRE(kLayer.count(module));
    std::string text = read(file);
    for (std::sregex_iterator m(text.begin(), text.end(), include_re), end; m != end; ++m) {
      std::string used = (*m)[1];
      INFO(file.string() << " includes boxlab/" << used);
      REQUIRE(kLayer.count(used));
      CHECK((used == module || kLayer.at(used) < kLayer.at(module)));
    }
  }
}

TEST_CASE("raw system calls appear only in core/src/sys", "[architecture]") {
  std::regex raw(R"((^|[^\w:])::(open|openat|close|read|write|mount|umount2?|pivot_root|chroot|chdir|unshare|setns|clone|fork|vfork|execve|execvp|kill|waitpid|mkdir|rmdir|mknod|syscall|prctl|sethostname|setresuid|setresgid|setgroups|dup2|pipe2|statfs|stat|lstat|symlink|unlink|poll|ioctl)\()");
  for (const auto& file : core_files()) {
    if (module_of(file) == "sys") continue;
    std::string text = read(file);
    INFO(file.string());
    CHECK_FALSE(std::regex_search(text, raw));
  }
}

TEST_CASE("every public core header has a Doxygen @file comment", "[architecture]") {
  for (const auto& file : core_files()) {
    if (file.extension() != ".hpp") continue;
    INFO(file.string());
    CHECK(read(file).find("@file") != std::string::npos);
  }
}
