#include "registry_server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "boxlab/image/registry.hpp"
#include "boxlab/sys/unique_fd.hpp"
#include "check.hpp"

namespace checker {

namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

// A port the kernel says is free now: bind port 0 on loopback and read what it chose.
int free_port() {
  boxlab::sys::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) < 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) < 0)
    throw Failure({"a free port on 127.0.0.1", "bind failed", "is the loopback interface up?"});
  return ntohs(address.sin_port);
}

bool answers(const std::string& host) {
  try {
    boxlab::image::Registry(host).ping();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

std::string find_tool(const std::string& tool) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && ::access((dir + "/" + tool).c_str(), X_OK) == 0) return dir + "/" + tool;
  return {};
}

RegistryServer::RegistryServer(const stdfs::path& dir) : dir_(dir) {
  std::string registry = find_tool("docker-registry");
  if (registry.empty())
    throw Failure({"docker-registry, to pull from and push to", "it is not installed",
                   "sudo apt-get install docker-registry (scripts/install-deps.sh installs it)"});
  stdfs::create_directories(dir_ / "data");
  for (int attempt = 0; attempt < 3 && !child_; ++attempt) {
    port_ = free_port();
    std::ofstream(dir_ / "config.yml") << "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n"
                                       << "storage:\n  filesystem:\n    rootdirectory: " << (dir_ / "data").string()
                                       << "\nhttp:\n  addr: " << host() << "\n";
    boxlab::sys::UniqueFd log(::open((dir_ / "registry.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    boxlab::sys::SpawnOptions options;
    options.args = {registry, "serve", (dir_ / "config.yml").string()};
    options.new_process_group = true;
    options.stdout_fd = log.get();
    options.stderr_fd = log.get();
    boxlab::sys::Child child = boxlab::sys::spawn(options);
    for (int i = 0; i < 100; ++i) {
      if (child.try_wait()) break;  // exited: the port was taken meanwhile; try another
      if (answers(host())) {
        child_.emplace(std::move(child));
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
  }
  if (!child_)
    throw Failure({"docker-registry to answer GET /v2/ on 127.0.0.1", "it did not (see " + (dir_ / "registry.log").string() + ")",
                   "check that docker-registry runs: docker-registry serve CONFIG"});
}

RegistryServer::~RegistryServer() {
  if (!child_) return;
  try {
    child_->kill(SIGTERM);
    if (!child_->wait_for(3s)) child_->kill(SIGKILL);
  } catch (const std::exception&) {
  }
  child_.reset();  // reaps (SIGKILL first if it still runs)
}

stdfs::path RegistryServer::blob_data(const std::string& hex) const {
  return dir_ / "data/docker/registry/v2/blobs/sha256" / hex.substr(0, 2) / hex / "data";
}

}  // namespace checker
