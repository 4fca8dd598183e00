/**
 * @file namespace.hpp
 * @brief The eight Linux namespace kinds: names, clone flags, inodes, and joining one.
 *
 * A namespace is a view: processes in the same UTS namespace see the same hostname, in the
 * same PID namespace the same process numbers, and so on (namespaces(7)). Each one a process
 * is in appears as a magic link /proc/PID/ns/NAME whose target, "uts:[4026531838]", carries
 * the namespace's inode number; two processes share a namespace exactly when the numbers match.
 */
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace boxlab::ns {

/// A kind of namespace, as /proc/PID/ns names it.
enum class Kind { cgroup, ipc, mnt, net, pid, time, user, uts };

/// All eight kinds, in /proc/PID/ns order.
const std::array<Kind, 8>& all_kinds();

/// The kind's name as in /proc/PID/ns and the OCI spec's short form: "uts", "mnt", ...
std::string_view name(Kind kind);

/// The OCI runtime spec's name for the kind: "uts", "mount", "network", ...
std::string_view oci_name(Kind kind);

/// Parse a kind from its /proc name or OCI name; throws boxlab::Error naming the known ones.
Kind parse_kind(std::string_view text);

/// Parse a comma-separated list such as "uts,pid,net".
std::vector<Kind> parse_kinds(std::string_view list);

/// The CLONE_NEW* flag that creates a namespace of @p kind.
uint64_t clone_flag(Kind kind);

/// The CLONE_NEW* flags for all of @p kinds, OR'ed.
uint64_t clone_flags(const std::vector<Kind>& kinds);

/// The inode number of the namespace of @p kind that process @p pid is in (0 = self).
ino_t inode(pid_t pid, Kind kind);

/// Move the calling process into the namespace of @p kind that process @p pid is in (setns(2)).
void enter(pid_t pid, Kind kind);

/// One row of a side-by-side comparison of a process's namespaces with another's.
struct Comparison {
  Kind kind;          ///< which namespace
  ino_t process = 0;  ///< the process's namespace inode (0 if it cannot be read)
  ino_t other = 0;    ///< the other process's (e.g. the host's PID 1)
  /// True when both are in the same namespace.
  bool shared() const noexcept { return process == other; }
};

/// Compare every namespace of @p pid with those of @p other (0, the default, is the caller:
/// for a runtime on the host, the host's namespaces).
std::vector<Comparison> compare(pid_t pid, pid_t other = 0);

}  // namespace boxlab::ns
