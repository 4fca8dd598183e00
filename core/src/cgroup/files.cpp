// cgroup files: the whole kernel interface of cgroups is reading and writing small text files
// (cgroups(7)). Writing is one write(2) of the whole value; the kernel answers EINVAL for a
// value it refuses, EBUSY when the cgroup's state forbids the change, EACCES/EROFS when the
// tree is not ours to change. Each error here names the file and the value, and says what to do.
//
// Interface: write_value read_value read_keyed read_limit read_procs has_file make_directory
#include <cerrno>
#include <sstream>

#include "backend.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::cgroup {
namespace {

std::string hint_for(int err) {
  switch (err) {
    case EACCES:
    case EROFS:
    case EPERM:
      return " (the cgroup tree is read-only or not ours: run as root on a writable /sys/fs/cgroup)";
    case ENOENT:
      return " (the controller is missing here: enable or mount it, see `lab00 doctor`)";
    default:
      return "";
  }
}

}  // namespace

void write_value(const std::string& dir, const std::string& file, const std::string& value) {
  try {
    sys::write_file(dir + "/" + file, value);
  } catch (const Error& e) {
    throw Error::reported(e.errno_value(), std::string("cgroup: ") + e.what() + hint_for(e.errno_value()),
                          kExitRuntimeError);
  }
}

std::string read_value(const std::string& dir, const std::string& file) {
  std::string text = sys::read_file(dir + "/" + file);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

uint64_t read_keyed(const std::string& dir, const std::string& file, const std::string& key) {
  std::istringstream in(sys::read_file(dir + "/" + file));
  std::string k;
  uint64_t v = 0;
  while (in >> k >> v)
    if (k == key) return v;
  return 0;
}

std::optional<uint64_t> read_limit(const std::string& dir, const std::string& file) {
  std::string text = read_value(dir, file);
  if (text == "max") return std::nullopt;
  return std::stoull(text);
}

std::vector<pid_t> read_procs(const std::string& dir) {
  std::istringstream in(sys::read_file(dir + "/cgroup.procs"));
  std::vector<pid_t> pids;
  for (pid_t pid; in >> pid;) pids.push_back(pid);
  return pids;
}

bool has_file(const std::string& dir, const std::string& file) { return sys::exists(dir + "/" + file); }

void make_directory(const std::string& path) {
  try {
    sys::mkdir(path, 0755, true);
  } catch (const Error& e) {
    throw Error::reported(e.errno_value(), std::string("cgroup: ") + e.what() + hint_for(e.errno_value()),
                          kExitRuntimeError);
  }
}

}  // namespace boxlab::cgroup
