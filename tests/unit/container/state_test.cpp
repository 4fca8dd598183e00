// Container records: state.json round trip, corrupt files named, the state root from --root or
// $BOXLAB_ROOT, the lock a live runtime holds, id prefixes, and gc of records whose runtime died.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "boxlab/container/gc.hpp"
#include "boxlab/container/state.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;
namespace stdfs = std::filesystem;


namespace {

// Set (or unset) an environment variable for the scope, then put the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

container::State sample_state(const std::string& id) {
  container::State s;
  s.id = id;
  s.status = "running";
  s.pid = 4242;
  s.pid_start_time = 123456789;
  s.created = "2024-05-01T12:00:00Z";
  s.command = {"/bin/sh", "-c", "echo \"hi\" there"};
  s.cgroup_dirs = {"/sys/fs/cgroup/memory/boxlab/" + id, "/sys/fs/cgroup/pids/boxlab/" + id};
  return s;
}

// A record left by a runtime that died: its directory, state.json, and a lock nobody holds.
void dead_record(const stdfs::path& containers, const std::string& id, bool with_lock = true) {
  stdfs::create_directories(containers / id);
  std::ofstream(containers / id / "state.json") << container::to_json(sample_state(id));
  if (with_lock) std::ofstream(containers / id / "lock");
}

bool locked_by_someone(const stdfs::path& lock) {
  auto fd = boxlab::sys::open(lock, O_RDWR);
  return !boxlab::sys::try_lock_exclusive(fd.get());
}

}  // namespace

TEST_CASE("a state survives state.json and back", "[container][state]") {
  auto s = sample_state(std::string(64, 'a'));
  auto back = container::state_from_json(container::to_json(s), "state.json");
  CHECK(back.id == s.id);
  CHECK(back.status == "running");
  CHECK(back.pid == 4242);
  CHECK(back.pid_start_time == 123456789);
  CHECK(back.created == "2024-05-01T12:00:00Z");
  CHECK(back.command == s.command);
  CHECK(back.cgroup_dirs == s.cgroup_dirs);
}

TEST_CASE("a state without a creation time gets the current one, in RFC 3339 UTC", "[container][state]") {
  container::State s;
  s.id = "x";
  auto back = container::state_from_json(container::to_json(s), "state.json");
  REQUIRE(back.created.size() == 20);
  CHECK(back.created[4] == '-');
  CHECK(back.created[10] == 'T');
  CHECK(back.created.back() == 'Z');
  CHECK(back.status == "created");
  CHECK(back.cgroup_dirs.empty());
}

TEST_CASE("a corrupt state file is refused, naming the file", "[container][state][bad-input]") {
  const std::string where = "/run/boxlab/containers/abc/state.json";
  for (const char* bad : {"", "{", "[]", R"({"id":"abc"})", R"({"id":1,"status":"running","pid":1,"pidStartTime":1})",
                          R"({"id":"abc","status":"running","pid":"many","pidStartTime":1})"}) {
    INFO("text: " << bad);
    CHECK_THROWS_WITH(container::state_from_json(bad, where), test::contains(where + ": corrupt state file"));
  }
}

TEST_CASE("the state root is --root, else $BOXLAB_ROOT, else /var/lib/boxlab and /run/boxlab", "[container][state]") {
  {
    ScopedEnv env("BOXLAB_ROOT", nullptr);
    auto root = container::StateRoot::resolve();
    CHECK(root.data == "/var/lib/boxlab");
    CHECK(root.run == "/run/boxlab");
    CHECK(root.containers() == "/run/boxlab/containers");
  }
  {
    ScopedEnv env("BOXLAB_ROOT", "");
    CHECK(container::StateRoot::resolve().run == "/run/boxlab");  // empty: as if unset
  }
  {
    ScopedEnv env("BOXLAB_ROOT", "/tmp/from-env");
    auto root = container::StateRoot::resolve();
    CHECK(root.data == "/tmp/from-env");
    CHECK(root.containers() == "/tmp/from-env/run/containers");
    auto flag = container::StateRoot::resolve("/tmp/from-flag");  // the flag wins
    CHECK(flag.data == "/tmp/from-flag");
    CHECK(flag.containers() == "/tmp/from-flag/run/containers");
  }
}

TEST_CASE("container ids are 64 random hex digits; short ids their first 12", "[container][state]") {
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    std::string id = container::new_container_id();
    CHECK(id.size() == 64);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    ids.insert(id);
  }
  CHECK(ids.size() == 50);
  CHECK(container::short_id("0123456789abcdef0123") == "0123456789ab");
}

TEST_CASE("process_alive checks the PID and its start time", "[container][state]") {
  container::State s;
  s.pid = ::getpid();
  s.pid_start_time = boxlab::sys::process_start_time(::getpid());
  REQUIRE(s.pid_start_time != 0);
  CHECK(s.process_alive());
  s.pid_start_time += 1;  // the PID was reused by another process
  CHECK_FALSE(s.process_alive());
  s.pid = 0;
  CHECK_FALSE(s.process_alive());
}

TEST_CASE("a record is created locked, updated atomically, and removed with its owner", "[container][state]") {
  test::TempDir tmp;
  stdfs::path containers = tmp.path() / "run/containers";
  auto state = sample_state("c1");
  stdfs::path dir = containers / "c1";
  {
    auto record = container::StateRecord::create(containers, state);
    CHECK(record.directory() == dir.string());
    CHECK(stdfs::exists(dir / "state.json"));
    CHECK(locked_by_someone(dir / "lock"));
    state.status = "created";
    state.pid = 7;
    record.update(state);
    auto back = container::state_from_json(boxlab::sys::read_file(dir / "state.json"), "x");
    CHECK(back.status == "created");
    CHECK(back.pid == 7);
    CHECK_FALSE(stdfs::exists(dir / "state.json.tmp"));
    auto moved = std::move(record);  // the moved-from record owns nothing
    CHECK(moved.directory() == dir.string());
    CHECK(stdfs::exists(dir));
  }
  CHECK_FALSE(stdfs::exists(dir));
  CHECK(stdfs::exists(containers));
}

TEST_CASE("a second record with the same id is refused", "[container][state][bad-input]") {
  test::TempDir tmp;
  auto record = container::StateRecord::create(tmp.path(), sample_state("c1"));
  CHECK_THROWS_AS(container::StateRecord::create(tmp.path(), sample_state("c1")), boxlab::Error);
  CHECK(stdfs::exists(tmp.path() / "c1/state.json"));  // the first one is untouched
}

TEST_CASE("list_states reads every record and skips a corrupt one", "[container][state]") {
  test::TempDir tmp;
  CHECK(container::list_states(tmp.path() / "none").empty());
  auto a = container::StateRecord::create(tmp.path(), sample_state("aaa1"));
  auto b = container::StateRecord::create(tmp.path(), sample_state("bbb1"));
  stdfs::create_directories(tmp.path() / "broken");
  std::ofstream(tmp.path() / "broken/state.json") << "{ not json";
  std::ofstream(tmp.path() / "not-a-dir") << "x";
  auto states = container::list_states(tmp.path());
  std::set<std::string> ids;
  for (const auto& s : states) ids.insert(s.id);
  CHECK(ids == std::set<std::string>{"aaa1", "bbb1"});
}

TEST_CASE("resolve_id takes a unique prefix", "[container][state]") {
  test::TempDir tmp;
  auto a = container::StateRecord::create(tmp.path(), sample_state("abc123"));
  auto b = container::StateRecord::create(tmp.path(), sample_state("abd456"));
  CHECK(container::resolve_id(tmp.path(), "abc") == "abc123");
  CHECK(container::resolve_id(tmp.path(), "abd456") == "abd456");
  CHECK_THROWS_WITH(container::resolve_id(tmp.path(), "ab"), test::contains("ab is ambiguous"));
  CHECK_THROWS_WITH(container::resolve_id(tmp.path(), "ff"), "No such container: ff");
  CHECK_THROWS_WITH(container::resolve_id(tmp.path(), ""), test::contains("No such container"));
  CHECK_THROWS_WITH(container::resolve_id(tmp.path() / "none", "abc"), test::contains("No such container"));
}

TEST_CASE("collect_garbage removes the records of dead runtimes and keeps live ones", "[container][state][gc]") {
  test::TempDir tmp;
  stdfs::path containers = tmp.path();
  CHECK(container::collect_garbage(containers / "none") == 0);
  auto live = container::StateRecord::create(containers, sample_state("live1"));
  dead_record(containers, "dead1");
  dead_record(containers, "dead2", false);  // died before it made its lock file
  stdfs::create_directories(containers / "dead3");  // died right after mkdir
  CHECK(container::collect_garbage(containers) == 3);
  CHECK(stdfs::exists(containers / "live1/state.json"));
  CHECK_FALSE(stdfs::exists(containers / "dead1"));
  CHECK_FALSE(stdfs::exists(containers / "dead2"));
  CHECK_FALSE(stdfs::exists(containers / "dead3"));
  CHECK(container::collect_garbage(containers) == 0);
  CHECK(locked_by_someone(containers / "live1/lock"));  // gc's probe did not take the lock away
}

TEST_CASE("remove_record removes a record's directory and its files", "[container][state]") {
  test::TempDir tmp;
  dead_record(tmp.path(), "x1");
  container::remove_record(tmp.path() / "x1");
  CHECK_FALSE(stdfs::exists(tmp.path() / "x1"));
  CHECK_NOTHROW(container::remove_record(tmp.path() / "x1"));  // gone already: fine
}
