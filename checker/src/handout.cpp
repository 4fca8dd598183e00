// Handouts: the student's copy of boxlab, with the code of a lab and later labs taken out.
//
// The reference solution and the handout are one tree. Code a lab asks students to write sits
// between two comment lines, `// LAB NN BEGIN: <what to write>` and `// LAB NN END`, so the
// reference builds and passes every check as it is, and a handout is made mechanically: each
// region of lab NN or later becomes one line, `boxlab::todo("labNN: <what to write>");`, which
// throws "not written yet: …" when it runs. boxlab::todo is [[noreturn]], so a function whose
// whole body was a region still compiles without a return statement. CI then proves the two
// sides of the contract for every lab: each check passes on the reference and fails on the
// handout (scripts/prove-handouts.sh).
//
// Plan, then apply (as bubblewrap does): the whole tree is read and every region checked before
// the first file is written, so a malformed tree (an END missing, regions nested, numbers that
// do not match) fails with "FILE:LINE: …" and leaves nothing half-written.
//
// Interface: write_handout
#include "handout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#include "boxlab/sys/error.hpp"

namespace checker {
namespace {

namespace fs = std::filesystem;
using boxlab::Error;

// ---------------------------------------------------------------------------------------------
// Reading one file: marker lines and the regions they delimit.

/// A marker line, parsed.
struct Marker {
  bool begin = false;  // BEGIN or END
  int lab = 0;
  std::string what;    // BEGIN only: the text after "BEGIN: "
  std::string indent;  // the whitespace before "//"
};

/// A region: the BEGIN and END lines (0-based) and what its BEGIN line says.
struct Region {
  Marker begin;
  std::size_t first = 0;
  std::size_t last = 0;
};

/// "core/src/ns/uts.cpp:18", as compilers report a place.
std::string where(const fs::path& file, std::size_t index) {
  return file.generic_string() + ":" + std::to_string(index + 1);
}

std::string without_cr(const std::string& line) {
  return (!line.empty() && line.back() == '\r') ? line.substr(0, line.size() - 1) : line;
}

// A marker is a whole line: "// LAB 02 BEGIN: <what>" or "// LAB 02 END" after indentation.
// A line that is almost one ("//LAB 2 BEGIN", "// lab 02 end", no ": <what>") is an error, not
// code: silently keeping it would put the reference solution into the handout.
std::optional<Marker> parse_marker(const std::string& raw, const fs::path& file, std::size_t index) {
  static const std::regex almost(R"(^[ \t]*//[ \t]*LAB[ \t]*[0-9]+[ \t]*(BEGIN|END)\b)",
                                 std::regex::icase);
  static const std::regex exact(R"(^([ \t]*)// LAB ([0-9]{2}) (?:BEGIN: (.*[^ \t])|(END))[ \t]*$)");
  std::string line = without_cr(raw);
  if (!std::regex_search(line, almost)) return std::nullopt;
  std::smatch m;
  if (!std::regex_match(line, m, exact))
    throw Error(where(file, index) + ": malformed marker '" + line +
                "'; write '// LAB NN BEGIN: <what to write>' or '// LAB NN END'");
  Marker marker;
  marker.begin = !m[4].matched;
  marker.lab = std::stoi(m[2].str());
  marker.what = m[3].str();
  marker.indent = m[1].str();
  return marker;
}

std::string lab_name(int lab) { return fmt::format("LAB {:02}", lab); }

// Pair each BEGIN with its END; regions neither nest nor cross.
std::vector<Region> find_regions(const std::vector<std::string>& lines, const fs::path& file) {
  std::vector<Region> regions;
  std::optional<Region> open;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::optional<Marker> marker = parse_marker(lines[i], file, i);
    if (!marker) continue;
    if (marker->begin && open)
      throw Error(where(file, i) + ": " + lab_name(marker->lab) + " BEGIN inside the " +
                  lab_name(open->begin.lab) + " region begun at line " +
                  std::to_string(open->first + 1) + " (regions do not nest)");
    if (marker->begin) {
      open = Region{*marker, i, i};
      continue;
    }
    if (!open) throw Error(where(file, i) + ": " + lab_name(marker->lab) + " END without a BEGIN");
    if (marker->lab != open->begin.lab)
      throw Error(where(file, i) + ": " + lab_name(marker->lab) + " END closes the " +
                  lab_name(open->begin.lab) + " region begun at line " + std::to_string(open->first + 1));
    open->last = i;
    regions.push_back(*open);
    open.reset();
  }
  if (open)
    throw Error(where(file, open->first) + ": " + lab_name(open->begin.lab) + " BEGIN has no " +
                lab_name(open->begin.lab) + " END");
  return regions;
}

// ---------------------------------------------------------------------------------------------
// Rewriting one file.

/// One region the handout asks for: which lab, what, and where the todo line landed.
struct Todo {
  int lab = 0;
  std::string what;
  fs::path file;
  std::size_t line = 0;  // 1-based, in the handout's file
};

enum class Language { kCpp, kC };

/// Escape @p text for a C string literal, so the message at run time is the text exactly.
std::string c_literal(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string todo_line(const Marker& begin, Language language) {
  std::string message = c_literal(fmt::format("lab{:02}: {}", begin.lab, begin.what));
  if (language == Language::kCpp) return begin.indent + "boxlab::todo(" + message + ");";
  // C has no boxlab::todo: say the same thing and exit as the runtime does (125).
  return begin.indent +
         "fprintf(stderr, \"not written yet: %s (this is your part of the lab)\\n\", " + message +
         "); exit(125);";
}

bool includes(const std::vector<std::string>& lines, const std::string& header) {
  const std::regex include("^[ \t]*#[ \t]*include[ \t]*[\"<]" + header + "[\">]");
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& line) { return std::regex_search(line, include); });
}

// Where to add an #include: after the last #include above the first todo, else after
// "#pragma once", else at the top.
std::size_t include_position(const std::vector<std::string>& lines, std::size_t first_todo) {
  static const std::regex include(R"(^[ \t]*#[ \t]*include\b)");
  static const std::regex pragma_once(R"(^[ \t]*#[ \t]*pragma[ \t]+once\b)");
  std::optional<std::size_t> after_pragma;
  for (std::size_t i = first_todo; i-- > 0;) {
    if (std::regex_search(lines[i], include)) return i + 1;
    if (!after_pragma && std::regex_search(lines[i], pragma_once)) after_pragma = i + 1;
  }
  return after_pragma.value_or(0);
}

std::vector<std::string> needed_includes(const std::vector<std::string>& lines, Language language) {
  std::vector<std::string> headers =
      language == Language::kCpp ? std::vector<std::string>{"boxlab/sys/error.hpp"}
                                 : std::vector<std::string>{"stdio.h", "stdlib.h"};
  std::vector<std::string> missing;
  for (const std::string& header : headers) {
    std::string pattern = std::regex_replace(header, std::regex(R"([./])"), R"(\$&)");
    if (!includes(lines, pattern))
      missing.push_back(language == Language::kCpp ? "#include \"" + header + "\""
                                                   : "#include <" + header + ">");
  }
  return missing;
}

/// The handout's text of one file, and the todos in it.
struct Rewrite {
  std::vector<std::string> lines;
  std::vector<Todo> todos;
};

// Replace each region of lab >= @p lab by its todo line; add the include the todo needs.
Rewrite rewrite(const std::vector<std::string>& lines, const std::vector<Region>& regions, int lab,
                const fs::path& file, Language language) {
  Rewrite out;
  std::size_t next = 0;
  for (const Region& region : regions) {
    if (region.begin.lab < lab) continue;
    out.lines.insert(out.lines.end(), lines.begin() + next, lines.begin() + region.first);
    out.lines.push_back(todo_line(region.begin, language) + (lines[region.first].ends_with('\r') ? "\r" : ""));
    out.todos.push_back(Todo{region.begin.lab, region.begin.what, file, out.lines.size()});
    next = region.last + 1;
  }
  out.lines.insert(out.lines.end(), lines.begin() + next, lines.end());
  if (out.todos.empty()) return out;

  std::vector<std::string> missing = needed_includes(out.lines, language);
  std::size_t at = include_position(out.lines, out.todos.front().line - 1);
  out.lines.insert(out.lines.begin() + at, missing.begin(), missing.end());
  for (Todo& todo : out.todos) todo.line += missing.size();
  return out;
}

// ---------------------------------------------------------------------------------------------
// The tree: what to copy, what to rewrite, what to leave out.

enum class Kind { kDirectory, kCopy, kSymlink, kRewrite };

/// One entry of the handout, planned before anything is written.
struct Entry {
  fs::path relative;
  Kind kind = Kind::kCopy;
  fs::perms perms = fs::perms::none;
  std::string text;  // kRewrite only
};

struct Plan {
  std::vector<Entry> entries;
  std::vector<Todo> todos;
};

// Build outputs, version control and dependencies are not part of a handout. `build*` and `out`
// are left out only at the top: core/src/build (lab 11's Dockerfile builder) is source.
bool excluded(const fs::path& relative, bool is_directory) {
  std::string name = relative.filename().string();
  if (name == ".git" || name == "node_modules") return true;
  bool top = !relative.has_parent_path();
  return top && is_directory && (name.starts_with("build") || name == "out");
}

std::optional<Language> language_of(const fs::path& file) {
  std::string ext = file.extension().string();
  if (ext == ".cpp" || ext == ".hpp") return Language::kCpp;
  if (ext == ".c") return Language::kC;
  return std::nullopt;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(errno, "open " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines, bool final_newline) {
  std::string text;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    text += lines[i];
    if (i + 1 < lines.size() || final_newline) text += '\n';
  }
  return text;
}

// Plan one source file: copied as it is unless it has a region to take out.
void plan_source(const fs::path& source, Entry entry, Language language, int lab, Plan& plan) {
  std::string text = read_text(source / entry.relative);
  std::vector<std::string> lines = split_lines(text);
  std::vector<Region> regions = find_regions(lines, entry.relative);
  Rewrite handout = rewrite(lines, regions, lab, entry.relative, language);
  if (!handout.todos.empty()) {
    entry.kind = Kind::kRewrite;
    entry.text = join_lines(handout.lines, text.ends_with('\n'));
    plan.todos.insert(plan.todos.end(), handout.todos.begin(), handout.todos.end());
  }
  plan.entries.push_back(std::move(entry));
}

Plan plan_handout(const fs::path& source, int lab) {
  Plan plan;
  for (auto it = fs::recursive_directory_iterator(source); it != fs::recursive_directory_iterator(); ++it) {
    fs::file_status status = it->symlink_status();
    Entry entry{it->path().lexically_relative(source), Kind::kCopy, status.permissions(), {}};
    if (excluded(entry.relative, fs::is_directory(status))) {
      if (fs::is_directory(status)) it.disable_recursion_pending();
      continue;
    }
    if (fs::is_directory(status)) entry.kind = Kind::kDirectory;
    else if (fs::is_symlink(status)) entry.kind = Kind::kSymlink;
    else if (!fs::is_regular_file(status)) continue;  // sockets, fifos: not source
    std::optional<Language> language = language_of(entry.relative);
    if (entry.kind == Kind::kCopy && language) plan_source(source, std::move(entry), *language, lab, plan);
    else plan.entries.push_back(std::move(entry));
  }
  // Parents sort before their children; a sorted tree and HANDOUT.md are the same on every run.
  std::sort(plan.entries.begin(), plan.entries.end(),
            [](const Entry& a, const Entry& b) { return a.relative < b.relative; });
  std::sort(plan.todos.begin(), plan.todos.end(), [](const Todo& a, const Todo& b) {
    return std::tie(a.lab, a.file, a.line) < std::tie(b.lab, b.file, b.line);
  });
  return plan;
}

// ---------------------------------------------------------------------------------------------
// HANDOUT.md: what to write, and how to build and check it.

std::string todo_list(const std::vector<Todo>& todos, int lab) {
  std::string out;
  for (const Todo& todo : todos)
    if (todo.lab == lab) out += fmt::format("- `{}:{}`: {}\n", todo.file.generic_string(), todo.line, todo.what);
  return out;
}

std::string handout_readme(int lab, const std::vector<Todo>& todos) {
  std::map<int, std::size_t> per_lab;
  for (const Todo& todo : todos) ++per_lab[todo.lab];
  std::string out = fmt::format(
      "# boxlab handout: lab {0:02}\n\n"
      "This is boxlab with the code of lab {0:02} and of the labs after it taken out. Each piece\n"
      "to write is now one line, `boxlab::todo(\"labNN: <what to write>\");`, which stops the\n"
      "program with \"not written yet: labNN: …\" when it runs. Replace that line with your code.\n\n",
      lab);
  out += fmt::format("## Lab {:02}: what to write\n\n", lab);
  out += per_lab.count(lab) ? todo_list(todos, lab) : "Nothing: this lab's code is all given.\n";
  out += fmt::format(
      "\n## Build and check\n\n"
      "```sh\n"
      "cmake -S . -B build -DBOXLAB_LABS={0:02}\n"
      "cmake --build build\n"
      "sudo build/checker/checker lab{0:02}\n"
      "```\n\n"
      "Each check that fails says what it expected, what it saw, and a hint. Add `--all` to run\n"
      "the checks of the earlier labs too: your lab {0:02} keeps every command they have.\n",
      lab);
  if (per_lab.upper_bound(lab) == per_lab.end()) return out;
  out += "\n## Later labs (leave these for now)\n";
  for (auto it = per_lab.upper_bound(lab); it != per_lab.end(); ++it)
    out += fmt::format("\n### Lab {:02}\n\n", it->first) + todo_list(todos, it->first);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing the handout.

bool is_within(const fs::path& path, const fs::path& root) {
  auto mismatch = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return mismatch.first == root.end();
}

// A handout inside the source tree would copy itself, unless it lies where the copy never goes:
// under a top-level build directory, as CI's BUILD_DIR/handouts/labNN does.
bool copied_into_itself(const fs::path& dst, const fs::path& src) {
  if (!is_within(dst, src)) return false;
  fs::path relative = dst.lexically_relative(src);
  return relative == "." || !excluded(*relative.begin(), true);
}

void check_destination(const fs::path& source, const fs::path& out) {
  if (!fs::is_directory(source)) throw Error("handout: source " + source.string() + " is not a directory");
  fs::path src = fs::canonical(source);
  fs::path dst = fs::weakly_canonical(fs::absolute(out));
  if (copied_into_itself(dst, src))
    throw Error("handout: " + out.string() + " is inside the source tree " + src.string() +
                "; write the handout outside it");
  if (fs::exists(dst) && !fs::is_directory(dst))
    throw Error("handout: " + out.string() + " exists and is not a directory");
  if (fs::exists(dst) && !fs::is_empty(dst))
    throw Error("handout: " + out.string() + " exists and is not empty; choose a new directory");
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) throw Error(errno, "write " + path.string());
}

void apply(const Plan& plan, const fs::path& source, const fs::path& out) {
  fs::create_directories(out);
  for (const Entry& entry : plan.entries) {
    fs::path from = source / entry.relative;
    fs::path to = out / entry.relative;
    switch (entry.kind) {
      case Kind::kDirectory: fs::create_directory(to); break;
      case Kind::kSymlink: fs::copy_symlink(from, to); break;
      case Kind::kCopy: fs::copy_file(from, to); break;  // copies the mode, too
      case Kind::kRewrite:
        write_text(to, entry.text);
        fs::permissions(to, entry.perms);
        break;
    }
  }
  // Directory modes last, deepest first: a read-only directory must be filled before.
  for (auto it = plan.entries.rbegin(); it != plan.entries.rend(); ++it)
    if (it->kind == Kind::kDirectory) fs::permissions(out / it->relative, it->perms);
}

}  // namespace

void write_handout(const fs::path& source, int lab, const fs::path& out) {
  if (lab < 0 || lab > 99) throw Error("handout: lab " + std::to_string(lab) + " is not between 00 and 99");
  try {
    check_destination(source, out);
    Plan plan = plan_handout(source, lab);
    apply(plan, source, out);
    write_text(out / "HANDOUT.md", handout_readme(lab, plan.todos));
  } catch (const fs::filesystem_error& e) {
    throw Error::reported(e.code().value(), std::string("handout: ") + e.what(), boxlab::kExitRuntimeError);
  }
}

}  // namespace checker
