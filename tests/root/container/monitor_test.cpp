// The monitor: logs, exit codes, restart policies, detached start and stop.
#include <signal.h>

#include <chrono>
#include <thread>

#include "boxlab/container/container_store.hpp"
#include "boxlab/container/log_file.hpp"
#include "boxlab/container/monitor.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/fs/overlay.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "root/no_leaks.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;
using namespace std::chrono_literals;

namespace {

// A state root of the test's own, and a container on the busybox rootfs as its one layer.
struct World {
  test::TempDir dir;
  container::ContainerStore store{(dir.path() / "containers").string()};
  container::MonitorPaths paths{(dir.path() / "run/containers").string(), (dir.path() / "overlay").string(), {}, (dir.path() / "volumes").string()};

  container::Container create(std::vector<std::string> args, const std::string& restart = "no") {
    container::ContainerConfig config;
    config.id = container::new_container_id();
    config.name = "c" + config.id.substr(0, 8);
    config.image = "busybox";
    config.created = "2024-01-01T00:00:00Z";
    config.layers = {test::busybox_rootfs().string()};
    config.spec = container::default_spec(std::move(args));
    container::add_rootfs_defaults(config.spec);
    container::add_cgroup_defaults(config.spec, config.id, {});
    config.restart = container::RestartPolicy::parse(restart);
    return store.create(config);
  }
  ~World() {
    for (const auto& c : store.list()) {
      try {
        boxlab::fs::remove_container_layer(paths.overlays, c.config.id);
      } catch (...) {
      }
    }
  }
};

}  // namespace

TEST_CASE_METHOD(test::NoLeaks, "a foreground monitor logs both streams and records the exit", "[root][monitor]") {
  World world;
  auto c = world.create({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  auto echo = boxlab::sys::pipe2();
  container::MonitorIo io;
  io.stdout_fd = echo.write_end.get();
  CHECK(container::monitor_container(world.store, c.config.id, world.paths, io) == 3);
  echo.write_end.reset();
  char buf[64];
  size_t n = boxlab::sys::read(echo.read_end.get(), buf, sizeof buf);
  CHECK(std::string(buf, n) == "out\n");  // only stdout was asked to be copied
  auto after = world.store.find(c.config.id);
  CHECK(after.state.status == "exited");
  CHECK(after.state.exit_code == 3);
  CHECK_FALSE(after.state.started_at.empty());
  CHECK_FALSE(after.state.finished_at.empty());
  auto log = container::read_log(world.store.log_path(c.config.id));
  REQUIRE(log.size() == 2);
  CHECK(container::format_log(log, false) == "out\nerr\n");
  CHECK(log[1].stream == "stderr");
}

TEST_CASE_METHOD(test::NoLeaks, "on-failure:2 restarts a failing container twice, then stops", "[root][monitor]") {
  World world;
  auto c = world.create({"/bin/sh", "-c", "echo run; exit 1"}, "on-failure:2");
  CHECK(container::monitor_container(world.store, c.config.id, world.paths) == 1);
  auto after = world.store.find(c.config.id);
  CHECK(after.state.restart_count == 2);
  CHECK(container::format_log(container::read_log(world.store.log_path(c.config.id)), false) == "run\nrun\nrun\n");
}

TEST_CASE_METHOD(test::NoLeaks, "a detached container runs under its monitor; stop ends it for good", "[root][monitor]") {
  World world;
  auto c = world.create({"/bin/sh", "-c", "echo started; exec sleep 60"}, "always");
  container::start_monitor(world.store, c.config.id, world.paths);
  auto running = world.store.find(c.config.id);
  REQUIRE(running.state.status == "running");
  CHECK(running.process_alive());
  CHECK(running.monitor_alive());
  // stop: ask first (so "always" does not restart it), then signal; sleep as PID 1 ignores
  // SIGTERM, so SIGKILL it is.
  boxlab::sys::write_file_atomically(container::stop_request_path(running), "");
  ::kill(running.state.pid, SIGKILL);
  container::Container after = running;
  for (int i = 0; i < 500 && after.monitor_alive(); ++i) {
    std::this_thread::sleep_for(10ms);
    after = world.store.find(c.config.id);
  }
  after = world.store.find(c.config.id);
  CHECK(after.state.status == "exited");
  CHECK(after.state.exit_code == 137);
  CHECK(after.state.stopped_by_user);
  CHECK(after.state.restart_count == 0);
  CHECK_FALSE(after.monitor_alive());
  CHECK(container::format_log(container::read_log(world.store.log_path(c.config.id)), false) == "started\n");
}
