/**
 * @file spec.hpp
 * @brief The OCI runtime spec (config.json): the one description of a container to run.
 *
 * Every lab turns its flags (and later an image's config) into a Spec, and one function runs a
 * Spec (run.hpp). That is Docker's own stack: CLI -> engine -> runc reading config.json. This
 * is the subset of runtime-spec v1.1 the labs use; unknown fields are ignored on reading.
 */
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "boxlab/cgroup/limits.hpp"
#include "boxlab/fs/mount.hpp"
#include "boxlab/ns/namespace.hpp"
#include "boxlab/ns/user.hpp"

namespace boxlab::container {

/// The process to run (config.md, "Process").
struct Process {
  bool terminal = false;               ///< attach a pseudo-terminal
  uint32_t uid = 0;                    ///< user.uid
  uint32_t gid = 0;                    ///< user.gid
  std::vector<std::string> args;       ///< argv
  std::vector<std::string> env;        ///< "KEY=value"
  std::string cwd = "/";               ///< working directory inside the container
  bool no_new_privileges = false;      ///< prctl(PR_SET_NO_NEW_PRIVS)
  /// The capabilities kept ("CAP_CHOWN", ...): the bounding, permitted, effective and
  /// inheritable sets. Unset: the process keeps what the runtime has (labs 01-06).
  std::optional<std::vector<std::string>> capabilities;
};

/// A namespace to create (path empty) or join (path set).
struct Namespace {
  ns::Kind kind;     ///< which kind
  std::string path;  ///< join the namespace at this path instead of creating one
};

/// The root filesystem (config.md, "Root").
struct Root {
  std::string path;       ///< the rootfs directory; empty means "stay in the host's root"
  bool readonly = false;  ///< mount it read-only
};

/// Linux-specific settings (config-linux.md).
struct Linux {
  std::vector<Namespace> namespaces;           ///< namespaces to create or join
  std::vector<ns::IdMapping> uid_mappings;     ///< for a user namespace
  std::vector<ns::IdMapping> gid_mappings;     ///< for a user namespace
  std::vector<std::string> masked_paths;       ///< hidden inside the container
  std::vector<std::string> readonly_paths;     ///< read-only inside the container
  /// The cgroup to create, below the runtime's own (cgroup `boxlab/<cgroups_path>`); empty
  /// means the container stays in the runtime's cgroup (labs before 04).
  std::string cgroups_path;
  cgroup::Limits resources;                    ///< limits written to the cgroup
};

/// A whole container description: config.json.
struct Spec {
  std::string oci_version = "1.1.0";  ///< runtime-spec version
  Process process;                    ///< what to run
  Root root;                          ///< which filesystem
  std::string hostname;               ///< for a new UTS namespace
  std::vector<fs::Mount> mounts;      ///< in order
  Linux linux;                        ///< namespaces, id maps, masked paths
  /// Free-form facts for the runtime's users, e.g. "org.opencontainers.image.stopSignal".
  std::map<std::string, std::string> annotations;

  /// True if the spec asks for a new namespace of @p kind.
  bool creates(ns::Kind kind) const;
};

/// The PATH a container gets when its config sets none (Docker's default).
inline constexpr const char* kDefaultPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * @brief A spec for running @p args in every namespace but user and time, with a Docker-like
 * environment, and no root filesystem yet (the caller sets root.path and calls
 * add_rootfs_defaults()).
 */
Spec default_spec(std::vector<std::string> args);

/// Add what a container with its own rootfs needs, as `runc spec` and Docker do: /proc, /dev
/// (tmpfs, pts, shm, mqueue), read-only /sys, Docker's masked and read-only paths.
void add_rootfs_defaults(Spec& spec);

/// Give the container the cgroup `boxlab/<id>` with @p limits and, when it has a rootfs, its
/// cgroup tree read-only at /sys/fs/cgroup (Docker's default, cgroupns=private).
void add_cgroup_defaults(Spec& spec, const std::string& id, const cgroup::Limits& limits);

/// Serialise to config.json text (pretty-printed).
std::string to_json(const Spec& spec);
/// Parse config.json text; throws boxlab::Error on malformed input, naming the field.
Spec from_json(const std::string& text);

}  // namespace boxlab::container
