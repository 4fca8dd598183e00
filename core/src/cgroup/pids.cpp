// The pids controller: a cap on processes and threads, which stops fork bombs. A fork() past
// the limit fails with EAGAIN inside the container; the host is unaffected.
//
// Interface: pids::apply read
#include "backend.hpp"

namespace boxlab::cgroup::pids {

void apply(const std::string& dir, const Limits& l) {
  // LAB 04 BEGIN: write pids.max for --pids-limit ("max" when it is -1 or 0)
  if (l.pids) write_value(dir, "pids.max", *l.pids <= 0 ? "max" : std::to_string(*l.pids));
  // LAB 04 END
}

void read(const std::string& dir, Stats& s) {
  s.pids = std::stoull(read_value(dir, "pids.current"));
  s.pids_limit = read_limit(dir, "pids.max");
}

}  // namespace boxlab::cgroup::pids
