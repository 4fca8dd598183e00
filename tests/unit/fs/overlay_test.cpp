// Unit tests of the overlay's pure parts: option strings (layer order, escaping), OCI whiteout
// names, diff's classification and output; and diff on a tree without whiteouts (no root).
#include <filesystem>
#include <fstream>

#include "boxlab/container/diff.hpp"
#include "boxlab/fs/overlay.hpp"
#include "catch.hpp"
#include "test_support.hpp"

namespace fs = boxlab::fs;
namespace container = boxlab::container;
using container::ChangeKind;

TEST_CASE("lowerdir lists the layers top first: the reverse of the image's base-first order", "[fs][overlay]") {
  CHECK(fs::lowerdir_option({"/l/base"}) == "/l/base");
  CHECK(fs::lowerdir_option({"/l/base", "/l/mid", "/l/top"}) == "/l/top:/l/mid:/l/base");
}

TEST_CASE("overlay paths escape ':', ',' and backslashes", "[fs][overlay]") {
  CHECK(fs::escape_overlay_path("/plain/path") == "/plain/path");
  CHECK(fs::escape_overlay_path("/a:b,c\\d") == "/a\\:b\\,c\\\\d");
  CHECK(fs::lowerdir_option({"/x:1", "/y"}) == "/y:/x\\:1");
}

TEST_CASE("the mount data string names lower, upper and work dirs", "[fs][overlay]") {
  fs::OverlayDirs dirs{{"/base", "/app"}, "/c/upper", "/c/work"};
  CHECK(fs::overlay_options(dirs) == "lowerdir=/app:/base,upperdir=/c/upper,workdir=/c/work");
}

TEST_CASE("OCI whiteout names: .wh.NAME deletes NAME, .wh..wh..opq makes the directory opaque", "[fs][overlay]") {
  using Kind = fs::OciWhiteout::Kind;
  CHECK(fs::parse_oci_whiteout("file").kind == Kind::none);
  CHECK(fs::parse_oci_whiteout(".hidden").kind == Kind::none);
  auto w = fs::parse_oci_whiteout(".wh.passwd");
  CHECK(w.kind == Kind::file);
  CHECK(w.target == "passwd");
  CHECK(fs::parse_oci_whiteout(".wh..profile").target == ".profile");
  CHECK(fs::parse_oci_whiteout(".wh..wh..opq").kind == Kind::opaque);
  for (const char* bad : {".wh.", ".wh..", ".wh...", ".wh..wh.other"}) {
    INFO(bad);
    CHECK(fs::parse_oci_whiteout(bad).kind == Kind::none);
  }
}

TEST_CASE("diff classifies an upper entry: whiteout D, in a lower layer C, else A", "[fs][overlay][diff]") {
  CHECK(container::classify({true, true}) == ChangeKind::deleted);
  CHECK(container::classify({false, true}) == ChangeKind::changed);
  CHECK(container::classify({false, false}) == ChangeKind::added);
}

TEST_CASE("diff prints docker diff's lines", "[fs][overlay][diff]") {
  CHECK(container::format_changes({{ChangeKind::changed, "/etc"}, {ChangeKind::added, "/etc/new"},
                                   {ChangeKind::deleted, "/etc/old"}}) == "C /etc\nA /etc/new\nD /etc/old\n");
  CHECK(container::format_changes({}).empty());
}

TEST_CASE("diff of an upper dir: new names A, names of a lower layer C, parents C, sorted", "[fs][overlay][diff]") {
  test::TempDir tmp;
  auto make = [&](const std::string& rel, const std::string& text = "x") {
    std::filesystem::create_directories((tmp.path() / rel).parent_path());
    std::ofstream(tmp.path() / rel) << text;
  };
  make("base/etc/passwd");
  make("base/bin/sh");
  make("app/opt/app/run");
  make("upper/etc/passwd", "changed");
  make("upper/etc/added");
  make("upper/opt/app/log/today");
  make("upper/new");
  std::string t = tmp.path();
  auto changes = container::diff(t + "/upper", {t + "/base", t + "/app"});
  CHECK(container::format_changes(changes) ==
        "C /etc\n"
        "A /etc/added\n"
        "C /etc/passwd\n"
        "A /new\n"
        "C /opt\n"
        "C /opt/app\n"
        "A /opt/app/log\n"
        "A /opt/app/log/today\n");
}

TEST_CASE("diff of a missing upper dir says so", "[fs][overlay][diff]") {
  CHECK_THROWS_WITH(container::diff("/nonexistent/upper", {}), test::contains("does not exist"));
}
