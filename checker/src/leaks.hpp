// The leak sweep: what a check left on the host, found by comparing snapshots.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace checker {

/// The host state a lab may leave behind, read before and after each check.
struct Snapshot {
  std::set<std::string> mounts;      ///< lines of /proc/self/mountinfo
  std::set<std::string> cgroups;     ///< directories named boxlab* under /sys/fs/cgroup
  std::set<std::string> links;       ///< network links named bxl* or boxlab*
  std::set<std::string> netns;       ///< names under /run/netns
  std::set<std::string> nft_tables;  ///< "table FAMILY boxlab" lines of `nft list tables`
  std::set<std::string> nft_owners;  ///< owners (comments) of the rules in table ip boxlab, which outlives checks
};

/// One thing left behind (or, for "mount-removed", taken away from the host).
struct Leak {
  std::string kind;  ///< mount, mount-removed, cgroup, link, netns, nft, nft-rules, process
  std::string name;  ///< what: a mount point, a path, a link name, "1234 (sleep)"
  std::string key;   ///< how to find it again: the mountinfo line, the path, the pid
};

/// Read the host's state now.
Snapshot take_snapshot();

/// Read a snapshot's parts from other places (tests use a fake tree).
std::set<std::string> read_mountinfo(const std::filesystem::path& file);
std::set<std::string> find_boxlab_cgroups(const std::filesystem::path& root, int max_depth = 6);
std::set<std::string> find_links(const std::filesystem::path& class_net);

/// What is in @p after and not in @p before (and mounts that disappeared), in a fixed order.
std::vector<Leak> compare(const Snapshot& before, const Snapshot& after);

/// Processes still alive that belong to @p groups or whose command line mentions @p marker.
/// Waits briefly for dying processes (killed by their parent's death) to go.
std::vector<Leak> leftover_processes(const std::vector<pid_t>& groups, const std::string& marker);

/// The mount point field of a mountinfo line, with the kernel's octal escapes (\040) undone.
std::string mount_point_of(const std::string& mountinfo_line);

/// "mount /tmp/x, process 1234 (sleep)": for a cause's "seen".
std::string describe(const std::vector<Leak>& leaks);

/// Undo @p leak as far as possible (unmount, rmdir, delete the link/table, SIGKILL). Returns
/// what was done, for the log. Only mounts under @p own_dir or that labs make (/proc, /dev,
/// /sys, overlay, boxlab) are unmounted: others may belong to someone else on a shared host.
std::string clean_up(const Leak& leak, const std::filesystem::path& own_dir);

}  // namespace checker
