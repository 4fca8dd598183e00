// Containers from images: create records a whole spec, start runs it under a monitor, stop
// escalates to SIGKILL, rm refuses a running container unless forced.
#include <signal.h>

#include <chrono>

#include "boxlab/container/lifecycle.hpp"
#include "boxlab/container/log_file.hpp"
#include "boxlab/image/layers.hpp"
#include "boxlab/image/store.hpp"
#include "catch.hpp"
#include "root/image_world.hpp"
#include "root/no_leaks.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;
namespace image = boxlab::image;
using namespace std::chrono_literals;


TEST_CASE_METHOD(test::NoLeaks, "run = create + start: the image's config, Docker's capabilities, a log",
                 "[root][lifecycle]") {
  test::ImageWorld world;
  auto c = world.create({"/bin/sh", "-c", "echo $PATH; hostname; grep CapEff /proc/self/status"}, "first");
  CHECK(c.state.status == "created");
  CHECK_THROWS_WITH(world.create({"true"}, "first"), test::contains("is already in use"));
  CHECK(container::monitor_container(world.containers.store, c.config.id, world.containers.paths) == 0);
  std::string log = container::format_log(container::read_log(world.containers.store.log_path(c.config.id)), false);
  CHECK(log == "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n" + c.config.id.substr(0, 12) +
                   "\nCapEff:\t00000000a80425fb\n");
  auto image_cmd = world.create({});  // busybox's Cmd is ["sh"], which exits at once on /dev/null
  CHECK(image_cmd.config.spec.process.args == std::vector<std::string>{"sh"});
}

TEST_CASE_METHOD(test::NoLeaks, "a detached container: stop escalates to SIGKILL; rm needs -f while it runs",
                 "[root][lifecycle]") {
  test::ImageWorld world;
  // sh as PID 1 has no handler for SIGTERM, so the kernel drops it (pid_namespaces(7)).
  auto c = world.create({"/bin/sh", "-c", "echo up; while :; do sleep 1; done"});
  container::start_monitor(world.containers.store, c.config.id, world.containers.paths);
  CHECK(container::is_running(world.containers.store.find(c.config.id)));
  CHECK_THROWS_WITH(container::remove_container(world.containers, c.config.id, false),
                    test::contains("container is running"));
  auto started = std::chrono::steady_clock::now();
  CHECK(container::stop_container(world.containers, c.config.id, 1));
  CHECK(std::chrono::steady_clock::now() - started >= 1s);  // it waited for SIGTERM to work
  auto after = world.containers.store.find(c.config.id);
  CHECK(after.state.status == "exited");
  CHECK(after.state.exit_code == 137);
  CHECK_FALSE(container::is_running(after));
  CHECK(container::wait_container(world.containers, c.config.id) == 137);
  CHECK_FALSE(container::stop_container(world.containers, c.config.id, 1));  // not running: nothing to do
  container::remove_container(world.containers, c.config.id, false);
  CHECK_THROWS_WITH(world.containers.store.find(c.config.id), test::contains("No such container"));
}
