// Cgroup: the owner of a container's control group, whatever the kernel interface.
//
// Creation is all-or-nothing: if a limit cannot be written, the directories made so far are
// removed before the error reaches the caller. Removal first empties the cgroup (SIGKILL to
// every process, v2's cgroup.kill when the kernel has it, Linux 5.14) because rmdir(2) fails
// with EBUSY on a cgroup that still has processes.
//
// Interface: Cgroup::{create,adopt,add_process,processes,stats,freeze,thaw,kill,remove,
//   directories,release}, read_stats, directories_of, sweep
#include "boxlab/cgroup/cgroup.hpp"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "backend.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::cgroup {
namespace {

std::unique_ptr<Backend> make_backend(const Layout& layout) {
  return layout.version == Version::v2 ? make_v2_backend(layout) : make_v1_backend(layout);
}

void remove_directory_if_empty(const std::string& dir) {
  try {
    sys::rmdir(dir);
  } catch (const Error& e) {
    // Another container still uses boxlab/ (EBUSY, ENOTEMPTY), or it is gone already.
    if (e.errno_value() != EBUSY && e.errno_value() != ENOTEMPTY && e.errno_value() != ENOENT) throw;
  }
}

// rmdir(2) of an emptied cgroup can still fail with EBUSY for a moment: the kernel drops a
// dead task's reference to its cgroup after the task was reaped, not before (seen here on v1,
// once in a few hundred runs). runc retries too (libcontainer/cgroups: rmdir with back-off).
void remove_released_directory(const std::string& dir) {
  using namespace std::chrono_literals;
  auto delay = 1ms;
  for (int attempt = 0;; ++attempt) {
    try {
      sys::rmdir(dir);
      return;
    } catch (const Error& e) {
      if (e.errno_value() == ENOENT) return;
      if (e.errno_value() != EBUSY || attempt == 10) throw;  // 1+2+...+512 ms: about 1 s
    }
    std::this_thread::sleep_for(delay);
    delay *= 2;
  }
}

void remove_backend(Backend& backend) {
  for (const auto& dir : backend.directories) remove_released_directory(dir);
  for (const auto& dir : backend.parents) remove_directory_if_empty(dir);
  backend.directories.clear();
  backend.parents.clear();
}

void kill_backend(Backend& backend) {
  using namespace std::chrono_literals;
  if (backend.directories.empty()) return;
  const std::string& first = backend.directories.front();
  bool has_kill_file = has_file(first, "cgroup.kill");
  for (int attempt = 0; attempt < 500; ++attempt) {
    std::vector<pid_t> pids = backend.processes();
    if (pids.empty()) return;
    if (has_kill_file) write_value(first, "cgroup.kill", "1");
    else
      for (pid_t pid : pids) sys::kill(pid, SIGKILL);
    // A v1 frozen task cannot act on SIGKILL until thawed (runc thaws after signalling too);
    // v2 kills frozen tasks, and there the write is harmless. No freezer: nothing is frozen.
    if (attempt == 0) try {
        backend.set_frozen(false);
      } catch (const Error&) {
      }
    std::this_thread::sleep_for(10ms);
  }
  throw Error("cgroup " + first + ": processes still running 5 s after SIGKILL");
}

}  // namespace

Cgroup::Cgroup(std::unique_ptr<Backend> backend) : backend_(std::move(backend)) {}
Cgroup::Cgroup(Cgroup&& other) noexcept = default;
Cgroup& Cgroup::operator=(Cgroup&& other) noexcept {
  if (this != &other) {
    if (owned_ && backend_) try { remove(); } catch (...) {}
    backend_ = std::move(other.backend_);
    owned_ = other.owned_;
  }
  return *this;
}

Cgroup::~Cgroup() {
  if (!owned_ || !backend_) return;
  try {
    remove();
  } catch (...) {
    // A destructor must not throw; `gc`/sweep removes what is left.
  }
}

Cgroup Cgroup::create(const Layout& layout, const std::string& id, const Limits& limits) {
  auto backend = make_backend(layout);
  try {
    backend->create(id, limits);
  } catch (...) {
    try {
      remove_backend(*backend);
    } catch (...) {
    }
    throw;
  }
  return Cgroup(std::move(backend));
}

Cgroup Cgroup::adopt(const Layout& layout, std::vector<std::string> directories) {
  auto backend = make_backend(layout);
  backend->adopt(directories);
  return Cgroup(std::move(backend));
}

void Cgroup::add_process(pid_t pid) { backend_->add_process(pid); }
std::vector<pid_t> Cgroup::processes() const { return backend_->processes(); }
Stats Cgroup::stats() const { return backend_->stats(); }
void Cgroup::freeze() { backend_->set_frozen(true); }
void Cgroup::thaw() { backend_->set_frozen(false); }
void Cgroup::kill() { kill_backend(*backend_); }
const std::vector<std::string>& Cgroup::directories() const { return backend_->directories; }
void Cgroup::release() noexcept { owned_ = false; }

void Cgroup::remove() {
  kill_backend(*backend_);
  remove_backend(*backend_);
}

Stats read_stats(const Layout& layout, const std::vector<std::string>& directories) {
  auto backend = make_backend(layout);
  backend->adopt(directories);
  return backend->stats();
}

std::vector<std::string> directories_of(const Layout& layout, const std::string& id) {
  std::vector<std::string> dirs;
  if (layout.version == Version::v2) {
    dirs.push_back(v2_parent_dir(layout) + "/boxlab/" + id);
    return dirs;
  }
  for (const auto& [name, mount] : layout.v1_mounts) {
    auto own = layout.own_v1_paths.find(name);
    std::string dir = mount + (own == layout.own_v1_paths.end() || own->second == "/" ? "" : own->second) + "/boxlab/" + id;
    // Co-mounted controllers (cpu,cpuacct) share one directory: list it once.
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  }
  return dirs;
}

int sweep(const Layout& layout, const std::vector<std::string>& ids) {
  int removed = 0;
  for (const auto& id : ids) {
    std::vector<std::string> dirs = directories_of(layout, id);
    std::erase_if(dirs, [](const std::string& d) { return !sys::exists(d); });
    if (dirs.empty()) continue;
    Cgroup left = Cgroup::adopt(layout, dirs);
    left.remove();
    ++removed;
  }
  return removed;
}

}  // namespace boxlab::cgroup
