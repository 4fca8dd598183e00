// Tests of the handout writer (checker/src/handout.cpp), on small fake source trees made in a
// temporary directory: the replacement and its indentation, the include it adds, the files it
// leaves out, file modes, HANDOUT.md, and the errors for malformed regions. No root needed.
//
// Marker lines are built by marker() at run time: written out literally here, they would be
// markers of this very file when a handout of the real tree is made.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "boxlab/sys/error.hpp"
#include "catch.hpp"
#include "handout.hpp"

namespace fs = std::filesystem;

namespace {

/// A fresh directory with a source tree in src/; removed with everything in it at the end.
class Scratch {
 public:
  Scratch() {
    std::random_device random;
    root_ = fs::temp_directory_path() / ("boxlab-handout-test-" + std::to_string(random()));
    fs::create_directories(root_ / "src");
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  fs::path src() const { return root_ / "src"; }
  fs::path out() const { return root_ / "out"; }

  /// Write @p text to src/@p relative, creating its directories.
  void write(const fs::path& relative, const std::string& text) const {
    fs::create_directories((src() / relative).parent_path());
    std::ofstream(src() / relative, std::ios::binary) << text;
  }

 private:
  fs::path root_;
};

/// "// LAB 02 BEGIN: what" or "// LAB 02 END", indented by @p indent.
std::string marker(const std::string& indent, const std::string& lab, const std::string& rest) {
  return indent + "// " + "LAB " + lab + " " + rest + "\n";
}

std::string begin(const std::string& indent, const std::string& lab, const std::string& what) {
  return marker(indent, lab, "BEGIN: " + what);
}

std::string end(const std::string& indent, const std::string& lab) { return marker(indent, lab, "END"); }

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A small .cpp with one region of lab 01 and two of lab 02.
std::string uts_cpp() {
  return "// uts\n"
         "#include \"uts.hpp\"\n"
         "\n"
         "#include <string>\n"
         "\n"
         "namespace boxlab {\n"
         "int answer() {\n" +
         begin("  ", "01", "return the answer") +
         "  return 42;\n" +
         end("  ", "01") +
         "}\n"
         "void set(int x) {\n"
         "  if (x) {\n" +
         begin("    ", "02", "set \"it\" with a \\ backslash") +
         "    do_set(x);\n"
         "    do_more(x);\n" +
         end("    ", "02") +
         "  }\n"
         "}\n"
         "int later() {\n" +
         begin("  ", "03", "a later lab's part") +
         "  return 3;\n" +
         end("  ", "03") +
         "}\n"
         "}  // namespace boxlab\n";
}

/// The message boxlab::todo would throw for @p what.
std::string thrown_by_todo(const std::string& what) {
  try {
    boxlab::todo(what);
  } catch (const boxlab::Error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("a handout replaces the regions of its lab and later ones, at their indentation", "[handout]") {
  Scratch scratch;
  scratch.write("core/src/uts.cpp", uts_cpp());
  checker::write_handout(scratch.src(), 2, scratch.out());
  std::string text = read(scratch.out() / "core/src/uts.cpp");

  CHECK(text ==
        "// uts\n"
        "#include \"uts.hpp\"\n"
        "\n"
        "#include <string>\n"
        "#include \"boxlab/sys/error.hpp\"\n"
        "\n"
        "namespace boxlab {\n"
        "int answer() {\n" +
            begin("  ", "01", "return the answer") +
            "  return 42;\n" +
            end("  ", "01") +
            "}\n"
            "void set(int x) {\n"
            "  if (x) {\n"
            "    boxlab::todo(\"lab02: set \\\"it\\\" with a \\\\ backslash\");\n"
            "  }\n"
            "}\n"
            "int later() {\n"
            "  boxlab::todo(\"lab03: a later lab's part\");\n"
            "}\n"
            "}  // namespace boxlab\n");
}

TEST_CASE("the todo's message is the BEGIN line's text exactly", "[handout]") {
  // The escaped literal above must say at run time what the BEGIN line says.
  CHECK(thrown_by_todo("lab02: set \"it\" with a \\ backslash") ==
        "not written yet: lab02: set \"it\" with a \\ backslash (this is your part of the lab)");
}

TEST_CASE("a handout for an earlier lab keeps nothing of the later labs' code", "[handout]") {
  Scratch scratch;
  scratch.write("core/src/uts.cpp", uts_cpp());
  checker::write_handout(scratch.src(), 1, scratch.out());
  std::string text = read(scratch.out() / "core/src/uts.cpp");
  CHECK(text.find("boxlab::todo(\"lab01: return the answer\");") != std::string::npos);
  CHECK(text.find("return 42;") == std::string::npos);
  CHECK(text.find("do_set") == std::string::npos);
  CHECK(text.find("BEGIN") == std::string::npos);
}

TEST_CASE("a handout past every region is the source unchanged", "[handout]") {
  Scratch scratch;
  scratch.write("core/src/uts.cpp", uts_cpp());
  checker::write_handout(scratch.src(), 4, scratch.out());
  CHECK(read(scratch.out() / "core/src/uts.cpp") == uts_cpp());
}

TEST_CASE("the include is added once, after #pragma once when there is no other", "[handout]") {
  Scratch scratch;
  scratch.write("a.cpp", "#include <vector>\n#include \"boxlab/sys/error.hpp\"\nvoid f() {\n" +
                             begin("  ", "02", "f") + "  g();\n" + end("  ", "02") + "}\n");
  scratch.write("b.hpp", "// b\n#pragma once\n\ninline void f() {\n" + begin("  ", "02", "f") +
                             "  g();\n" + end("  ", "02") + "}");
  scratch.write("plain.cpp", "void f() {\n" + begin("", "02", "f") + "g();\n" + end("", "02") + "}\n");
  checker::write_handout(scratch.src(), 2, scratch.out());

  CHECK(read(scratch.out() / "a.cpp") ==
        "#include <vector>\n#include \"boxlab/sys/error.hpp\"\nvoid f() {\n  boxlab::todo(\"lab02: f\");\n}\n");
  // No final newline in, none out.
  CHECK(read(scratch.out() / "b.hpp") ==
        "// b\n#pragma once\n#include \"boxlab/sys/error.hpp\"\n\ninline void f() {\n"
        "  boxlab::todo(\"lab02: f\");\n}");
  CHECK(read(scratch.out() / "plain.cpp") ==
        "#include \"boxlab/sys/error.hpp\"\nvoid f() {\nboxlab::todo(\"lab02: f\");\n}\n");
}

TEST_CASE("a region in a C file exits 125 with the same message", "[handout]") {
  Scratch scratch;
  scratch.write("probe.c", "#include <stdio.h>\nint main(void) {\n" + begin("  ", "02", "print it") +
                               "  puts(\"x\");\n" + end("  ", "02") + "  return 0;\n}\n");
  checker::write_handout(scratch.src(), 2, scratch.out());
  CHECK(read(scratch.out() / "probe.c") ==
        "#include <stdio.h>\n#include <stdlib.h>\nint main(void) {\n"
        "  fprintf(stderr, \"not written yet: %s (this is your part of the lab)\\n\", \"lab02: print it\");"
        " exit(125);\n  return 0;\n}\n");
}

TEST_CASE("HANDOUT.md lists the regions per lab with the handout's file and line", "[handout]") {
  Scratch scratch;
  scratch.write("core/src/uts.cpp", uts_cpp());
  checker::write_handout(scratch.src(), 2, scratch.out());
  std::string readme = read(scratch.out() / "HANDOUT.md");
  CHECK(readme.find("# boxlab handout: lab 02") != std::string::npos);
  CHECK(readme.find("- `core/src/uts.cpp:15`: set \"it\" with a \\ backslash\n") != std::string::npos);
  CHECK(readme.find("### Lab 03\n\n- `core/src/uts.cpp:19`: a later lab's part\n") != std::string::npos);
  CHECK(readme.find("return the answer") == std::string::npos);
  CHECK(readme.find("cmake -S . -B build -DBOXLAB_LABS=02\ncmake --build build\n"
                    "sudo build/checker/checker lab02\n") != std::string::npos);
  // The lines it names are the todo lines.
  std::istringstream lines(read(scratch.out() / "core/src/uts.cpp"));
  std::string line;
  for (int i = 0; i < 15; ++i) std::getline(lines, line);
  CHECK(line == "    boxlab::todo(\"lab02: set \\\"it\\\" with a \\\\ backslash\");");
}

TEST_CASE("a handout keeps file modes and symlinks and leaves out build output", "[handout]") {
  Scratch scratch;
  scratch.write("scripts/run.sh", "#!/bin/sh\necho hi\n");
  fs::permissions(scratch.src() / "scripts/run.sh", fs::perms(0755));
  scratch.write("secret.cpp", "int x;\n");
  fs::permissions(scratch.src() / "secret.cpp", fs::perms(0600));
  scratch.write("script.cpp", "void f() {\n" + begin("", "02", "f") + end("", "02") + "}\n");
  fs::permissions(scratch.src() / "script.cpp", fs::perms(0750));
  fs::create_directory_symlink("scripts", scratch.src() / "bin");
  for (const char* skipped : {".git/HEAD", "build/x.o", "build-checker/y", "out/z", "web/node_modules/m.js"})
    scratch.write(skipped, "x\n");
  scratch.write("core/src/build/dockerfile.cpp", "int y;\n");  // lab 11's source, not output
  checker::write_handout(scratch.src(), 2, scratch.out());

  const fs::path& out = scratch.out();
  CHECK(fs::status(out / "scripts/run.sh").permissions() == fs::perms(0755));
  CHECK(fs::status(out / "secret.cpp").permissions() == fs::perms(0600));
  CHECK(fs::status(out / "script.cpp").permissions() == fs::perms(0750));
  CHECK(fs::is_symlink(out / "bin"));
  CHECK(fs::read_symlink(out / "bin") == "scripts");
  CHECK(fs::exists(out / "core/src/build/dockerfile.cpp"));
  for (const char* skipped : {".git", "build", "build-checker", "out", "web/node_modules"})
    CHECK_FALSE(fs::exists(out / skipped));
  CHECK(fs::exists(out / "web"));
}

TEST_CASE("malformed regions are errors naming the file and line, and nothing is written", "[handout]") {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"int a;\n" + begin("", "02", "x") + "int b;\n", "core/a.cpp:2: LAB 02 BEGIN has no LAB 02 END"},
      {"int a;\n" + end("", "02"), "core/a.cpp:2: LAB 02 END without a BEGIN"},
      {begin("", "02", "x") + begin("", "03", "y") + end("", "03") + end("", "02"),
       "core/a.cpp:2: LAB 03 BEGIN inside the LAB 02 region begun at line 1"},
      {begin("", "02", "x") + end("", "03"), "core/a.cpp:2: LAB 03 END closes the LAB 02 region begun at line 1"},
      {"int a;\n\n//LAB 02 BEGIN: x\n", "core/a.cpp:3: malformed marker"},
      {marker("", "2", "BEGIN: x"), "core/a.cpp:1: malformed marker"},
      {marker("", "02", "BEGIN"), "core/a.cpp:1: malformed marker"},
      {marker("", "02", "END of it"), "core/a.cpp:1: malformed marker"},
  };
  for (const Case& c : cases) {
    Scratch scratch;
    scratch.write("core/a.cpp", c.text);
    INFO(c.text);
    CHECK_THROWS_WITH(checker::write_handout(scratch.src(), 2, scratch.out()), test::contains(c.error));
    CHECK_FALSE(fs::exists(scratch.out()));
  }
}

TEST_CASE("regions of earlier labs are checked too", "[handout]") {
  Scratch scratch;
  scratch.write("a.cpp", begin("", "01", "x"));
  CHECK_THROWS_WITH(checker::write_handout(scratch.src(), 2, scratch.out()), test::contains("a.cpp:1"));
}

TEST_CASE("a handout refuses an out inside the source or an existing non-empty out", "[handout]") {
  Scratch scratch;
  scratch.write("a.cpp", "int a;\n");
  CHECK_THROWS_AS(checker::write_handout(scratch.src(), 2, scratch.src() / "handout"), boxlab::Error);
  CHECK_THROWS_AS(checker::write_handout(scratch.src(), 2, scratch.src()), boxlab::Error);
  CHECK_FALSE(fs::exists(scratch.src() / "handout"));

  fs::create_directories(scratch.out());
  std::ofstream(scratch.out() / "keep") << "mine\n";
  CHECK_THROWS_WITH(checker::write_handout(scratch.src(), 2, scratch.out()), test::contains("not empty"));
  CHECK(read(scratch.out() / "keep") == "mine\n");

  fs::remove(scratch.out() / "keep");  // an existing empty directory is fine
  checker::write_handout(scratch.src(), 2, scratch.out());
  CHECK(fs::exists(scratch.out() / "a.cpp"));
}

TEST_CASE("a handout may be written under a top-level build directory of the source", "[handout]") {
  Scratch scratch;
  scratch.write("a.cpp", "int a;\n");
  scratch.write("build-x/old.o", "x\n");
  fs::path out = scratch.src() / "build-x" / "handouts" / "lab02";
  checker::write_handout(scratch.src(), 2, out);
  CHECK(read(out / "a.cpp") == "int a;\n");
  CHECK_FALSE(fs::exists(out / "build-x"));  // the build directory, and so the handout, is not copied
  // Anywhere else inside the source it would copy itself.
  CHECK_THROWS_WITH(checker::write_handout(scratch.src(), 2, scratch.src() / "core" / "handout"),
                    test::contains("inside the source tree"));
}
