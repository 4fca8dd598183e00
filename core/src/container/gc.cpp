// Garbage collection: what a runtime killed mid-start leaves, and how it is found.
//
// A runtime can die at any instant: after creating the cgroup and before recording it, after
// starting the process and before waiting for it. The record is written first (with the id
// only), so whatever exists, the record names it; its lock, freed by the kernel when the
// runtime died, says nobody owns it. The cgroup's directories are derived from the id
// (cgroup::directories_of), so even a cgroup created after the last state update is found;
// those the record names are removed too.
// The container's processes die with their cgroup (cgroup::sweep kills before rmdir).
//
// Interface: collect_garbage
#include "boxlab/container/gc.hpp"

#include <fcntl.h>

#include <cstdio>
#include <filesystem>

#include "boxlab/cgroup/cgroup.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::container {
namespace {

// The lock says it, unless a child cloned in the runtime's last instant still shares it (it
// closes it first thing, but may not have run yet): then the runtime's PID and start time do.
bool owner_is_gone(const std::string& dir) {
  sys::UniqueFd lock;
  try {
    lock = sys::open(dir + "/lock", O_RDWR);
  } catch (const Error&) {
    return true;  // no lock file: the runtime died before it could even create it
  }
  if (sys::try_lock_exclusive(lock.get())) return true;  // released again when `lock` closes
  try {
    return state_from_json(sys::read_file(dir + "/state.json"), dir).runtime_gone();
  } catch (const Error&) {
    return false;  // locked and unreadable: leave it to its owner
  }
}

// The directories the record names, if it got that far. They matter when the runtime ran in
// another cgroup than ours (another login session or systemd unit): it created the container's
// cgroup below its own, where directories_of, which starts from ours, does not look.
std::vector<std::string> recorded_cgroup_dirs(const std::string& dir) {
  try {
    auto dirs = state_from_json(sys::read_file(dir + "/state.json"), dir).cgroup_dirs;
    std::erase_if(dirs, [](const std::string& d) { return !sys::exists(d); });
    return dirs;
  } catch (const Error&) {
    return {};
  }
}

void remove_cgroup_of(const std::string& dir) {
  std::string id = std::filesystem::path(dir).filename();
  try {
    auto layout = cgroup::detect_layout();
    if (auto recorded = recorded_cgroup_dirs(dir); !recorded.empty()) cgroup::Cgroup::adopt(layout, recorded).remove();
    cgroup::sweep(layout, {id});
  } catch (const Error& e) {
    std::fprintf(stderr, "warning: cgroup of container %s: %s\n", short_id(id).c_str(), e.what());
  }
}

}  // namespace

int collect_garbage(const std::string& containers_dir) {
  if (!sys::exists(containers_dir)) return 0;
  sys::UniqueFd dir_lock = lock_containers_dir(containers_dir);
  int removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(containers_dir)) {
    if (!entry.is_directory() || !owner_is_gone(entry.path())) continue;
    remove_cgroup_of(entry.path());
    remove_record(entry.path());
    ++removed;
  }
  return removed;
}

}  // namespace boxlab::container
