// cgroup v1: one hierarchy per controller, each mounted on its own directory. The container
// gets a directory boxlab/<id> in every hierarchy we use, below the runtime's own cgroup in
// that hierarchy (the paths in /proc/self/cgroup differ per hierarchy). Joining means writing
// the PID to cgroup.procs in each of them.
//
// Interface: make_v1_backend
#include <algorithm>

#include "backend.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::cgroup {
namespace {

// The v1 hierarchies boxlab uses, and for which limit each is needed.
struct Hierarchy {
  const char* name;
  bool (*needed)(const Limits&);
};

const Hierarchy kHierarchies[] = {
    {"memory", [](const Limits& l) { return l.memory || l.memory_swap || l.memory_reservation; }},
    {"cpu", [](const Limits& l) { return l.cpus || l.cpu_shares; }},
    {"cpuacct", [](const Limits&) { return false; }},
    {"cpuset", [](const Limits& l) { return l.cpuset_cpus.has_value(); }},
    {"pids", [](const Limits& l) { return l.pids.has_value(); }},
    {"blkio", [](const Limits& l) { return !l.device_read_bps.empty() || !l.device_write_bps.empty(); }},
    {"freezer", [](const Limits&) { return false; }},
};

class V1 : public Backend {
 public:
  explicit V1(const Layout& layout) : layout_(layout) {}

  void create(const std::string& id, const Limits& limits) override {
    for (const auto& h : kHierarchies) {
      auto mount = layout_.v1_mounts.find(h.name);
      if (mount == layout_.v1_mounts.end()) {
        if (h.needed(limits))
          throw Error(std::string("cgroup v1: the ") + h.name + " controller is not mounted; mount it: mount -t cgroup -o " +
                      h.name + " cgroup /sys/fs/cgroup/" + h.name);
        continue;
      }
      auto own = layout_.own_v1_paths.find(h.name);
      std::string base = mount->second + (own == layout_.own_v1_paths.end() || own->second == "/" ? "" : own->second);
      create_in(h.name, base, id);
    }
    apply(limits);
  }

  void add_process(pid_t pid) override {
    // LAB 04 BEGIN: move the process into the cgroup of every hierarchy: write its PID to each cgroup.procs
    for (const auto& dir : directories) write_value(dir, "cgroup.procs", std::to_string(pid));
    // LAB 04 END
  }

  std::vector<pid_t> processes() const override {
    std::vector<pid_t> all;
    for (const auto& dir : directories)
      for (pid_t p : read_procs(dir))
        if (std::find(all.begin(), all.end(), p) == all.end()) all.push_back(p);
    return all;
  }

  Stats stats() const override {
    Stats s;
    if (auto d = dir_of("cpuacct")) cpu::read_v1_cpuacct(*d, s);
    if (auto d = dir_of("memory")) memory::read_v1(*d, s);
    if (auto d = dir_of("pids")) pids::read(*d, s);
    return s;
  }

  void set_frozen(bool frozen) override {
    auto d = dir_of("freezer");
    if (!d) throw Error("cgroup v1: the freezer controller is not mounted");
    write_value(*d, "freezer.state", frozen ? "FROZEN" : "THAWED");
  }

 private:
  void create_in(const std::string& name, const std::string& base, const std::string& id) {
    std::string boxlab = base + "/boxlab", dir = boxlab + "/" + id;
    if (std::find(directories.begin(), directories.end(), dir) != directories.end()) return;
    make_directory(boxlab);
    parents.push_back(boxlab);
    make_directory(dir);
    directories.push_back(dir);
    if (name == "cpuset") {
      cpuset::inherit_v1(base, boxlab);
      cpuset::inherit_v1(boxlab, dir);
    }
  }

  // The directory in the hierarchy of controller @p name (co-mounted controllers such as
  // cpu,cpuacct share one hierarchy and so one directory).
  std::optional<std::string> dir_of(const std::string& name) const {
    auto mount = layout_.v1_mounts.find(name);
    if (mount == layout_.v1_mounts.end()) return std::nullopt;
    for (const auto& dir : directories)
      if (dir.rfind(mount->second + "/", 0) == 0) return dir;
    return std::nullopt;
  }

  void apply(const Limits& l) {
    if (auto d = dir_of("memory")) memory::apply_v1(*d, l);
    if (auto d = dir_of("cpu")) cpu::apply_v1(*d, l);
    if (auto d = dir_of("cpuset")) cpuset::apply(*d, l);
    if (auto d = dir_of("pids")) pids::apply(*d, l);
    if (auto d = dir_of("blkio")) io::apply_v1(*d, l);
  }

  Layout layout_;
};

}  // namespace

std::unique_ptr<Backend> make_v1_backend(const Layout& layout) { return std::make_unique<V1>(layout); }

}  // namespace boxlab::cgroup
