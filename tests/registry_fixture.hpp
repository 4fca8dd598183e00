// A real registry for the tests: Debian's docker-registry on 127.0.0.1 and a free port, in a
// temporary directory, started by scripts/registry-fixture.sh and stopped by the destructor.
// fill_busybox() pushes the build's busybox OCI layout into it with skopeo, so a test pulls
// exactly what skopeo (not our own code) wrote. Header-only, so the test suites need no extra
// source file.
#pragma once

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "test_support.hpp"

namespace test {

/// A running docker-registry, owned: stopped (and its data removed) when destroyed.
class RegistryFixture {
 public:
  RegistryFixture() {
    run({script(), "start", dir_.path().string()}, "start docker-registry");
    std::ifstream in(dir_.path() / "port");
    in >> port_;
    if (port_ <= 0) throw std::runtime_error("registry-fixture.sh wrote no port in " + dir_.path().string());
    started_ = true;
  }
  ~RegistryFixture() {
    if (!started_) return;
    try {
      capture(command({script(), "stop", dir_.path().string()}));
    } catch (...) {
    }
  }
  RegistryFixture(const RegistryFixture&) = delete;
  RegistryFixture& operator=(const RegistryFixture&) = delete;

  /// "127.0.0.1:PORT".
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  /// The port the registry listens on.
  int port() const { return port_; }
  /// The fixture's directory (config.yml, data/, registry.log).
  const std::filesystem::path& dir() const { return dir_.path(); }

  /// The build's busybox OCI layout (scripts/make-busybox-image.sh, tag "latest").
  static std::filesystem::path busybox_layout() {
    return std::filesystem::path(BOXLAB_BINARY_DIR) / "busybox" / "oci";
  }

  /// Copy the busybox layout into the registry as @p repository:@p tag with skopeo.
  void fill_busybox(const std::string& repository = "busybox", const std::string& tag = "latest") const {
    run({"skopeo", "copy", "--quiet", "--insecure-policy", "--dest-tls-verify=false",
         "oci:" + busybox_layout().string() + ":latest", "docker://" + host() + "/" + repository + ":" + tag},
        "skopeo copy busybox into the registry (sudo apt-get install skopeo)");
  }

  /// Spawn options that run @p args.
  static boxlab::sys::SpawnOptions command(std::vector<std::string> args) {
    boxlab::sys::SpawnOptions options;
    options.args = std::move(args);
    return options;
  }

 private:
  static std::string script() { return std::string(BOXLAB_SOURCE_DIR) + "/scripts/registry-fixture.sh"; }
  static void run(std::vector<std::string> args, const std::string& what) {
    Captured result = capture(command(std::move(args)));
    if (result.status.signaled || result.status.code != 0)
      throw std::runtime_error(what + ": " + result.status.describe() + ": " + result.out);
  }

  TempDir dir_;
  int port_ = 0;
  bool started_ = false;
};

}  // namespace test
