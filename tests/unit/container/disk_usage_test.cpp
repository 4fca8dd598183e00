// system df: sizes on disk count each inode once (a hardlink is not counted twice), an empty
// state root has four rows of zeros, and the table has docker's columns.
#include "boxlab/container/disk_usage.hpp"
#include "boxlab/container/volume_store.hpp"
#include "boxlab/fs/overlay.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "catch.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;
namespace stdfs = std::filesystem;

namespace {

uint64_t blocks_of(const stdfs::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

}  // namespace

TEST_CASE("disk_usage counts a hardlinked file once", "[container][disk]") {
  test::TempDir dir;
  stdfs::path file = dir.path() / "data";
  std::ofstream(file) << std::string(64 * 1024, 'x');
  stdfs::create_directory(dir.path() / "sub");
  stdfs::create_hard_link(file, dir.path() / "sub" / "link");
  stdfs::create_symlink("/usr", dir.path() / "sub" / "not-followed");

  const uint64_t file_bytes = blocks_of(file);
  REQUIRE(file_bytes >= 64 * 1024);
  const uint64_t expected = blocks_of(dir.path()) + blocks_of(dir.path() / "sub") + file_bytes +
                            blocks_of(dir.path() / "sub" / "not-followed");
  CHECK(container::disk_usage(dir.path()) == expected);
  CHECK(container::disk_usage(file) == file_bytes);
  CHECK(container::disk_usage(dir.path() / "missing") == 0);
}

TEST_CASE("an empty state root has four rows of zeros", "[container][disk]") {
  test::TempDir dir;
  container::StateRoot root;
  root.data = (dir.path() / "data").string();
  root.run = (dir.path() / "run").string();
  std::vector<container::DiskUsageRow> rows = container::measure_disk_usage(root);

  REQUIRE(rows.size() == 4);
  std::vector<std::string> types;
  for (const auto& row : rows) {
    types.push_back(row.type);
    CHECK(row.total == 0);
    CHECK(row.active == 0);
    CHECK(row.size == 0);
    CHECK(row.reclaimable == 0);
  }
  CHECK(types == std::vector<std::string>{"Images", "Containers", "Local Volumes", "Build Cache"});
}

TEST_CASE("format_disk_usage prints docker's system df table", "[container][disk]") {
  std::string table = container::format_disk_usage(
      {{"Images", 2, 1, 2000000, 1000000}, {"Containers", 0, 0, 0, 0}, {"Local Volumes", 0, 0, 0, 0}});
  std::istringstream in(table);
  std::string header, images, containers;
  std::getline(in, header);
  std::getline(in, images);
  std::getline(in, containers);

  CHECK(header == "TYPE            TOTAL   ACTIVE   SIZE   RECLAIMABLE");
  CHECK(images == "Images          2       1        2MB    1MB (50%)");
  CHECK(containers == "Containers      0       0        0B     0B");
}

TEST_CASE("system df counts lab 05's layers and lab 07's containers, and volumes by apparent size", "[container][disk]") {
  test::TempDir dir;
  container::StateRoot root;
  root.data = (dir.path() / "data").string();
  root.run = (dir.path() / "run").string();
  stdfs::create_directories(dir.path() / "base");
  std::string first = container::new_container_id(), second = container::new_container_id();
  auto kept = boxlab::fs::ContainerLayer::create(root.overlays(), first, {(dir.path() / "base").string()}, true);
  auto container_layer = boxlab::fs::ContainerLayer::create(root.container_layers(), second, {(dir.path() / "base").string()}, true);
  std::ofstream(container_layer.dirs().upper + "/written") << std::string(10000, 'x');
  container::VolumeStore volumes(root.volumes());
  std::ofstream(volumes.create("data").mountpoint + "/f") << "12345";

  auto rows = container::measure_disk_usage(root);
  CHECK(rows[1].total == 2);
  CHECK(rows[1].size >= 10000);
  CHECK(rows[2].total == 1);
  CHECK(rows[2].size == 5);  // the file's bytes, as `volume prune` reports them
  CHECK(rows[2].reclaimable == 5);
}
