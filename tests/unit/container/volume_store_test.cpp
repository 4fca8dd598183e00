// Named volumes: create/find/list/remove/prune, Docker's names and errors, inspect and ls output.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "boxlab/container/volume_store.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/text.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;
namespace stdfs = std::filesystem;

namespace {

// The message and exit code of what @p fn throws.
template <typename Fn>
std::pair<std::string, int> error_of(Fn&& fn) {
  try {
    fn();
  } catch (const boxlab::Error& e) {
    return {e.what(), e.exit_code()};
  }
  return {"(nothing thrown)", 0};
}

}  // namespace

TEST_CASE("volume create makes _data and an atomically written volume.json with Docker's fields", "[volume]") {
  test::TempDir dir;
  container::VolumeStore store((dir.path() / "volumes").string());
  container::Volume v = store.create("data", {{"team", "web"}});
  stdfs::path home = dir.path() / "volumes" / "data";
  CHECK(stdfs::is_directory(home / "_data"));
  CHECK(v.mountpoint == (home / "_data").string());
  auto record = nlohmann::json::parse(test::slurp(home / "volume.json"));
  CHECK(record["Name"] == "data");
  CHECK(record["Driver"] == "local");
  CHECK(record["Mountpoint"] == (home / "_data").string());
  CHECK(record["Scope"] == "local");
  CHECK(record["Labels"]["team"] == "web");
  CHECK(boxlab::sys::parse_rfc3339(record["CreatedAt"].get<std::string>()).has_value());
  CHECK_FALSE(v.anonymous());
  std::vector<std::string> files;
  for (const auto& e : stdfs::directory_iterator(home)) files.push_back(e.path().filename());
  std::sort(files.begin(), files.end());
  CHECK(files == std::vector<std::string>{"_data", "volume.json"});  // no temporary file left
}

TEST_CASE("creating an existing volume returns it unchanged, data included", "[volume]") {
  test::TempDir dir;
  container::VolumeStore store(dir.path().string());
  container::Volume first = store.create("data");
  test::write_text(stdfs::path(first.mountpoint) / "kept", "yes");
  container::Volume again = store.create("data", {{"ignored", "label"}});
  CHECK(again.created_at == first.created_at);
  CHECK(again.labels.empty());
  CHECK(test::slurp(stdfs::path(again.mountpoint) / "kept") == "yes");
  CHECK(store.list().size() == 1);
}

TEST_CASE("an anonymous volume gets 64 random hex digits and Docker's anonymous label", "[volume]") {
  test::TempDir dir;
  container::VolumeStore store(dir.path().string());
  container::Volume a = store.create();
  container::Volume b = store.create("");
  CHECK(a.name.size() == 64);
  CHECK(a.name.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a.name != b.name);
  CHECK(a.anonymous());
  CHECK(a.labels.at(container::kAnonymousVolumeLabel).empty());
  CHECK(store.find(a.name).anonymous());
}

TEST_CASE("volume names follow Docker's [a-zA-Z0-9][a-zA-Z0-9_.-]+ with its exact message", "[volume]") {
  test::TempDir dir;
  container::VolumeStore store(dir.path().string());
  for (const char* good : {"ab", "my_vol.v-2", "0data", "A.B"}) CHECK(store.create(good).name == good);
  for (std::string bad : {"foo/bar", "-data", ".hidden", "_x", "da ta", "../etc", "a:b"})
    CHECK(error_of([&] { store.create(bad); }).first ==
          "create " + bad + ": \"" + bad +
              "\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. "
              "If you intended to pass a host directory, use absolute path");
  CHECK(error_of([&] { store.create("x"); }).first ==
        "create x: volume name is too short, names should be at least two alphanumeric characters");
  CHECK_FALSE(stdfs::exists(dir.path() / "etc"));
}

TEST_CASE("find: a missing or impossible name is Docker's \"No such volume\" with exit code 1", "[volume]") {
  test::TempDir dir;
  container::VolumeStore store(dir.path().string());
  store.create("data");
  CHECK(store.find("data").name == "data");
  CHECK(store.exists("data"));
  for (const char* missing : {"nope", "../volumes", "data/_data", ""}) {
    CHECK_FALSE(store.exists(missing));
    CHECK(error_of([&] { store.find(missing); }) == std::pair<std::string, int>{"No such volume: " + std::string(missing), 1});
  }
}

TEST_CASE("list: every volume sorted by name, ignoring leftovers that are not volumes", "[volume]") {
  test::TempDir dir;
  container::VolumeStore store((dir.path() / "v").string());
  CHECK(store.list().empty());  // no directory yet
  store.create("web");
  store.create("db");
  stdfs::create_directories(dir.path() / "v" / "half-created" / "_data");  // no volume.json
  stdfs::create_directories(dir.path() / "v" / ".removing-old" / "_data");
  test::write_text(dir.path() / "v" / "stray-file", "x");
  std::vector<std::string> names;
  for (const auto& v : store.list()) names.push_back(v.name);
  CHECK(names == std::vector<std::string>{"db", "web"});
}

TEST_CASE("a create killed before volume.json is adopted by the next create of that name", "[volume]") {
  test::TempDir dir;
  container::VolumeStore store(dir.path().string());
  stdfs::create_directories(dir.path() / "data" / "_data");
  CHECK_FALSE(store.exists("data"));
  CHECK(store.create("data").mountpoint == (dir.path() / "data" / "_data").string());
  CHECK(store.exists("data"));
}

TEST_CASE("remove deletes the volume and its data; a missing one is Docker's \"get NAME: no such volume\"", "[volume]") {
  test::TempDir dir;
  container::VolumeStore store(dir.path().string());
  container::Volume v = store.create("data");
  stdfs::create_directories(stdfs::path(v.mountpoint) / "deep" / "er");
  test::write_text(stdfs::path(v.mountpoint) / "deep" / "er" / "file", "x");
  store.remove("data");
  CHECK_FALSE(store.exists("data"));
  CHECK_FALSE(stdfs::exists(dir.path() / "data"));
  CHECK(std::distance(stdfs::directory_iterator(dir.path()), stdfs::directory_iterator()) == 0);
  CHECK(error_of([&] { store.remove("data"); }) == std::pair<std::string, int>{"get data: no such volume", 1});
}

TEST_CASE("remove refuses a volume in use, naming the containers as Docker does", "[volume]") {
  test::TempDir dir;
  container::VolumeStore store(dir.path().string());
  container::Volume v = store.create("data");
  test::write_text(stdfs::path(v.mountpoint) / "precious", "x");
  std::string a(64, 'a'), b(64, 'b');
  CHECK(error_of([&] { store.remove("data", {a}); }) ==
        std::pair<std::string, int>{"remove data: volume is in use - [" + a + "]", 1});
  CHECK(error_of([&] { store.remove("data", {a, b}); }).first == "remove data: volume is in use - [" + a + ", " + b + "]");
  CHECK(test::slurp(stdfs::path(v.mountpoint) / "precious") == "x");
}

TEST_CASE("prune removes unused anonymous volumes; --all also unused named ones; sizes are reported", "[volume]") {
  test::TempDir dir;
  container::VolumeStore store(dir.path().string());
  container::Volume anon_used = store.create();
  container::Volume anon_free = store.create();
  store.create("named_used");
  container::Volume named_free = store.create("named_free");
  test::write_text(stdfs::path(anon_free.mountpoint) / "f", std::string(1000, 'x'));
  test::write_text(stdfs::path(named_free.mountpoint) / "g", std::string(234, 'y'));
  std::set<std::string> in_use{anon_used.name, "named_used"};

  container::PruneReport report = store.prune(in_use);
  CHECK(report.deleted == std::vector<std::string>{anon_free.name});
  CHECK(report.reclaimed == 1000);
  CHECK(store.list().size() == 3);

  report = store.prune(in_use, true);
  CHECK(report.deleted == std::vector<std::string>{"named_free"});
  CHECK(report.reclaimed == 234);
  CHECK(store.exists(anon_used.name));
  CHECK(store.exists("named_used"));
  CHECK(store.prune(in_use, true).deleted.empty());
}

TEST_CASE("volume_size counts as Docker's directory.Size: apparent bytes, hardlinks once, symlinks not followed", "[volume]") {
  test::TempDir dir;
  stdfs::path data = dir.path() / "data";
  stdfs::create_directories(data / "sub");
  test::write_text(data / "a", std::string(100, 'a'));
  test::write_text(data / "sub" / "b", std::string(50, 'b'));
  stdfs::create_hard_link(data / "a", data / "sub" / "a-again");
  test::write_text(dir.path() / "big", std::string(100000, 'z'));
  stdfs::create_symlink(dir.path() / "big", data / "link");            // counts its own length only
  stdfs::create_directory_symlink(dir.path(), data / "loop");          // never entered
  uint64_t links = (dir.path() / "big").string().size() + dir.path().string().size();
  CHECK(container::volume_size(data.string()) == 150 + links);
  CHECK(container::volume_size((dir.path() / "missing").string()) == 0);
}

TEST_CASE("volume inspect is Docker's JSON array: 4-space indent, its keys in its order", "[volume]") {
  test::TempDir dir;
  container::VolumeStore store(dir.path().string());
  container::Volume v = store.create("data", {{"env", "prod"}});
  std::string text = container::inspect_volumes_json({v, store.create()});
  CHECK(text.starts_with("[\n    {\n        \"CreatedAt\": \""));
  auto j = nlohmann::ordered_json::parse(text);
  REQUIRE(j.size() == 2);
  std::vector<std::string> keys;
  for (const auto& item : j[0].items()) keys.push_back(item.key());
  CHECK(keys == std::vector<std::string>{"CreatedAt", "Driver", "Labels", "Mountpoint", "Name", "Options", "Scope"});
  CHECK(j[0]["Labels"]["env"] == "prod");
  CHECK(j[0]["Mountpoint"] == v.mountpoint);
  CHECK(j[0]["Options"].is_object());
  CHECK(j[1]["Labels"].contains(container::kAnonymousVolumeLabel));
  CHECK(container::inspect_volumes_json({}) == "[]");
}

TEST_CASE("volume ls is Docker's table, DRIVER padded to tabwriter's minimum width of 10", "[volume]") {
  test::TempDir dir;
  container::VolumeStore store(dir.path().string());
  store.create("web");
  store.create("db");
  CHECK(container::format_volume_table(store.list()) ==
        "DRIVER    VOLUME NAME\n"
        "local     db\n"
        "local     web\n");
}

TEST_CASE("a corrupt volume.json still lists the volume, which can be removed", "[volume]") {
  test::TempDir dir;
  container::VolumeStore store(dir.path().string());
  store.create("data");
  test::write_text(dir.path() / "data" / "volume.json", "{not json");
  REQUIRE(store.list().size() == 1);
  CHECK(store.find("data").mountpoint == (dir.path() / "data" / "_data").string());
  store.remove("data");
  CHECK(store.list().empty());
}
