// A real registry for a check: Debian's docker-registry, listening on 127.0.0.1 and a free port,
// storing under a directory of the check's own, stopped (SIGTERM, then SIGKILL) when destroyed.
// Like tests/registry_fixture.hpp, but in the checker so that it runs wherever the checker runs
// (a student's VM, the CI's cgroup v2 VM) without the source tree's scripts.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "boxlab/sys/process.hpp"

namespace checker {

/// A running docker-registry, owned.
class RegistryServer {
 public:
  /// Start one storing under @p dir; throws a Failure with an install hint when
  /// docker-registry is missing or does not answer GET /v2/ within a few seconds.
  explicit RegistryServer(const std::filesystem::path& dir);
  ~RegistryServer();
  RegistryServer(const RegistryServer&) = delete;
  RegistryServer& operator=(const RegistryServer&) = delete;

  /// "127.0.0.1:PORT".
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  /// Where the registry keeps the blob @p hex's bytes (to tamper with them).
  std::filesystem::path blob_data(const std::string& hex) const;

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  std::optional<boxlab::sys::Child> child_;
};

/// The path of @p tool in PATH, or empty.
std::string find_tool(const std::string& tool);

}  // namespace checker
