// The container store: unique names, id prefixes, atomic state, corrupt records isolated.
#include <fstream>

#include "boxlab/container/container_store.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/sys/error.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;

namespace {

container::ContainerConfig config_named(const std::string& name, const std::string& created) {
  container::ContainerConfig c;
  c.id = container::new_container_id();
  c.name = name;
  c.image = "busybox";
  c.created = created;
  c.spec = container::default_spec({"sh"});
  c.restart = container::RestartPolicy::parse("on-failure:3");
  return c;
}

}  // namespace

TEST_CASE("restart policies parse as docker spells them and decide restarts", "[container][store]") {
  CHECK(container::RestartPolicy::parse("no").str() == "no");
  CHECK(container::RestartPolicy::parse("always").str() == "always");
  CHECK(container::RestartPolicy::parse("unless-stopped").str() == "unless-stopped");
  CHECK(container::RestartPolicy::parse("on-failure:5").max_retries == 5);
  for (const char* bad : {"", "sometimes", "always:3", "on-failure:x", "on-failure:-1"})
    CHECK_THROWS_WITH(container::RestartPolicy::parse(bad), test::contains("invalid restart policy"));
  auto on_failure = container::RestartPolicy::parse("on-failure:2");
  CHECK(on_failure.should_restart(1, 0, false));
  CHECK(on_failure.should_restart(1, 1, false));
  CHECK_FALSE(on_failure.should_restart(1, 2, false));
  CHECK_FALSE(on_failure.should_restart(0, 0, false));
  CHECK(container::RestartPolicy::parse("always").should_restart(0, 99, false));
  CHECK_FALSE(container::RestartPolicy::parse("always").should_restart(0, 0, true));
  CHECK_FALSE(container::RestartPolicy::parse("no").should_restart(1, 0, false));
}

TEST_CASE("the container store: create, find, names, state, rename, remove", "[container][store]") {
  test::TempDir dir;
  container::ContainerStore store((dir.path() / "containers").string());
  auto web = store.create(config_named("web", "2024-01-01T00:00:01Z"));
  auto db = store.create(config_named("db", "2024-01-01T00:00:02Z"));
  CHECK_THROWS_WITH(store.create(config_named("web", "2024-01-01T00:00:03Z")),
                    test::contains("Conflict. The container name \"/web\" is already in use by container \"" + web.config.id));
  CHECK_THROWS_WITH(store.create(config_named("bad/name", "x")), test::contains("Invalid container name"));

  CHECK(store.find("web").config.id == web.config.id);
  CHECK(store.find(db.config.id).config.name == "db");
  CHECK(store.find(db.config.id.substr(0, 12)).config.name == "db");
  CHECK(store.find("web").config.spec.process.args == std::vector<std::string>{"sh"});
  CHECK(store.find("web").config.restart.str() == "on-failure:3");
  try {
    store.find("nope");
    FAIL("found nope");
  } catch (const boxlab::Error& e) {
    CHECK(std::string(e.what()) == "No such container: nope");
    CHECK(e.exit_code() == 1);
  }
  auto all = store.list();
  REQUIRE(all.size() == 2);
  CHECK(all[0].config.name == "db");  // newest first

  container::ContainerState state;
  state.status = "exited";
  state.exit_code = 3;
  state.finished_at = "2024-01-01T00:00:05.000000001Z";
  store.save_state(web.config.id, state);
  CHECK(store.find("web").state.exit_code == 3);
  CHECK(store.find("web").state.status == "exited");
  CHECK_FALSE(store.find("web").process_alive());

  store.rename(web.config.id, "frontend");
  CHECK(store.find("frontend").config.id == web.config.id);
  CHECK_THROWS_WITH(store.rename(web.config.id, "db"), test::contains("already in use"));
  store.remove(web.config.id);
  CHECK_THROWS_WITH(store.find("frontend"), "No such container: frontend");
  CHECK(store.list().size() == 1);
}

TEST_CASE("a corrupt record is dead with its reason and affects no other", "[container][store]") {
  test::TempDir dir;
  container::ContainerStore store((dir.path() / "containers").string());
  auto good = store.create(config_named("good", "2024-01-01T00:00:01Z"));
  auto bad = store.create(config_named("bad", "2024-01-01T00:00:02Z"));
  std::ofstream(bad.dir + "/state.json") << "{not json";
  auto all = store.list();
  REQUIRE(all.size() == 2);
  auto broken = store.find(bad.config.id);
  CHECK(broken.state.status == "dead");
  CHECK(test::contains("corrupt record").match(broken.state.error));
  CHECK(store.find("good").state.status == "created");
}
