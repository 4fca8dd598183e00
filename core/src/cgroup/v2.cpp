// cgroup v2: one unified tree. The container's cgroup is <own>/boxlab/<id>, where <own> is
// the runtime's cgroup from /proc/self/cgroup ("0::<own>").
//
// A controller works in a cgroup only if its parent lists it in cgroup.subtree_control, and
// (outside the root) a cgroup with processes of its own cannot pass controllers down: the
// "no internal processes" rule (cgroups(7)). The runtime's own cgroup always holds a process,
// the runtime, so it can serve as the parent only when it is the root. Otherwise boxlab goes
// up to the nearest ancestor that holds no process (on a systemd machine, a login shell's
// session-N.scope holds the shell; its user-N.slice holds none) and creates boxlab/<id> there,
// as Docker's cgroupfs driver creates /docker/<id>. Only the container's process ever moves.
//
// Interface: make_v2_backend
#include <cerrno>
#include <signal.h>

#include <algorithm>
#include <sstream>

#include "backend.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::cgroup {
namespace {

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The controllers a limit needs, by v2 name.
std::vector<std::string> needed_by(const Limits& l) {
  std::vector<std::string> out;
  if (l.memory || l.memory_swap || l.memory_reservation) out.push_back("memory");
  if (l.cpus || l.cpu_shares) out.push_back("cpu");
  if (l.cpuset_cpus) out.push_back("cpuset");
  if (l.pids) out.push_back("pids");
  if (!l.device_read_bps.empty() || !l.device_write_bps.empty()) out.push_back("io");
  return out;
}

bool holds_processes(const std::string& dir) {
  return has_file(dir, "cgroup.procs") && !read_procs(dir).empty();
}

class V2 : public Backend {
 public:
  explicit V2(const Layout& layout) : layout_(layout) {}

  void create(const std::string& id, const Limits& limits) override {
    std::string own = v2_parent_dir(layout_);
    std::vector<std::string> available = words(read_value(own, "cgroup.controllers"));
    for (const auto& c : needed_by(limits))
      if (!contains(available, c))
        throw Error("cgroup v2: the " + c + " controller is not available in " + own +
                    "; enable it in the parent: echo +" + c + " > <parent>/cgroup.subtree_control");
    std::string boxlab = own + "/boxlab";
    enable_controllers(own, available);
    make_directory(boxlab);
    parents.push_back(boxlab);
    enable_controllers(boxlab, available);
    std::string dir = boxlab + "/" + id;
    make_directory(dir);
    directories.push_back(dir);
    apply(dir, limits);
  }

  void add_process(pid_t pid) override {
    // LAB 04 BEGIN: move the process into the cgroup: write its PID to cgroup.procs
    write_value(directories.at(0), "cgroup.procs", std::to_string(pid));
    // LAB 04 END
  }

  std::vector<pid_t> processes() const override { return read_procs(directories.at(0)); }

  Stats stats() const override {
    Stats s;
    const std::string& dir = directories.at(0);
    if (has_file(dir, "cpu.stat")) cpu::read_v2(dir, s);
    if (has_file(dir, "memory.current")) memory::read_v2(dir, s);
    if (has_file(dir, "pids.current")) pids::read(dir, s);
    return s;
  }

  void set_frozen(bool frozen) override { write_value(directories.at(0), "cgroup.freeze", frozen ? "1" : "0"); }

 private:
  void enable_controllers(const std::string& dir, const std::vector<std::string>& available) {
    std::vector<std::string> enabled = words(read_value(dir, "cgroup.subtree_control"));
    std::string add;
    for (const auto& c : kControllers)
      if (contains(available, c) && !contains(enabled, c)) add += "+" + c + " ";
    if (add.empty()) return;
    try {
      write_value(dir, "cgroup.subtree_control", add);
    } catch (const Error& e) {
      if (e.errno_value() != EBUSY) throw;
      throw Error("cgroup v2: cannot enable controllers below " + dir +
                  ": it holds processes (the no-internal-processes rule, cgroups(7)); "
                  "move them into a child cgroup, or run the lab from the root cgroup");
    }
  }

  static void apply(const std::string& dir, const Limits& l) {
    memory::apply_v2(dir, l);
    cpu::apply_v2(dir, l);
    cpuset::apply(dir, l);
    pids::apply(dir, l);
    io::apply_v2(dir, l);
  }

  Layout layout_;
};

}  // namespace

std::string v2_parent_dir(const Layout& layout) {
  std::string path = layout.own_v2_path;
  while (path.size() > 1 && holds_processes(layout.unified_mount + path)) path = path.substr(0, path.rfind('/'));
  return layout.unified_mount + (path.size() > 1 ? path : "");
}

std::unique_ptr<Backend> make_v2_backend(const Layout& layout) { return std::make_unique<V2>(layout); }

}  // namespace boxlab::cgroup
