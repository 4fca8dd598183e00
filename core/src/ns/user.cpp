// User namespaces: root inside, an unprivileged id outside.
//
// The parent writes the child's /proc/PID/uid_map and gid_map while the child waits on the
// sync pipe (process.hpp), before it does anything else: until then the child's ids are
// unmapped and it could not even read its own files. Each map can be written once, in one
// write(2) (user_namespaces(7)).
//
// Interface: format_id_map, write_id_maps
#include "boxlab/ns/user.hpp"

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::ns {

std::string format_id_map(const std::vector<IdMapping>& mappings) {
  std::string out;
  for (const auto& m : mappings)
    out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
           std::to_string(m.size) + "\n";
  return out;
}

void write_id_maps(pid_t pid, const std::vector<IdMapping>& uid_mappings,
                   const std::vector<IdMapping>& gid_mappings) {
  // LAB 02 BEGIN: write uid_map and gid_map of the child in its new user namespace
  std::string proc = "/proc/" + std::to_string(pid);
  with_context("map user ids", [&] { sys::write_file(proc + "/uid_map", format_id_map(uid_mappings)); });
  with_context("map group ids", [&] { sys::write_file(proc + "/gid_map", format_id_map(gid_mappings)); });
  // LAB 02 END
}

}  // namespace boxlab::ns
