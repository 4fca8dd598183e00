// Diff: what a container changed, read from its writable layer alone.
//
// Everything a container writes lands in the upper dir of its overlay (fs/overlay.cpp): a new
// file is created there, a changed lower file is copied up there first, and a deleted lower
// file leaves a whiteout there (a 0:0 character device). So the upper dir IS the list of
// changes, and `docker diff` only has to name each entry:
//   - a whiteout: D, the container deleted a name the layers had;
//   - a name some lower layer also has: C (copied up, then changed);
//   - anything else: A, added.
// Directories are entries too. Overlay copies a directory up when something in it changes, so
// a directory that the layers had shows as C; that is Docker's rule too ("if /foo/bar/file.txt
// is modified, then /foo/bar must be part of the changed files", moby's changes.go). An opaque
// directory (the container removed a directory and made it again) hides all of the lower
// entries under it: it shows as C, and each lower entry it hides and does not have again as D.
//
// A name "is in a lower layer" when the topmost layer that has it does not have a whiteout
// there. Layers are given base first and searched from the top.
//
// Interface: classify, letter, diff, format_changes
#include "boxlab/container/diff.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <set>

#include "boxlab/fs/overlay.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::container {
namespace {

namespace stdfs = std::filesystem;

// lstat that says "not there" (ENOENT, or ENOTDIR: a parent is a file) instead of throwing.
bool lstat_if(const std::string& path, struct stat& st) {
  try {
    st = sys::lstat(path);
    return true;
  } catch (const Error& e) {
    if (e.code().value() == ENOENT || e.code().value() == ENOTDIR) return false;
    throw;
  }
}

bool in_lower(const std::vector<std::string>& layers, const std::string& rel) {
  for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer) {
    struct stat st {};
    if (lstat_if(*layer + rel, st)) return !fs::is_overlay_whiteout(st);
  }
  return false;
}

class Walker {
 public:
  Walker(std::string upper, const std::vector<std::string>& layers) : upper_(std::move(upper)), layers_(layers) {}

  void walk(const std::string& rel_dir) {
    std::set<std::string> names;
    for (const auto& entry : stdfs::directory_iterator(upper_ + rel_dir)) names.insert(entry.path().filename());
    for (const auto& name : names) {
      std::string rel = rel_dir + "/" + name;
      struct stat st {};
      if (!lstat_if(upper_ + rel, st)) continue;  // gone while we looked
      UpperEntry entry{fs::is_overlay_whiteout(st), in_lower(layers_, rel)};
      changes_.push_back({classify(entry), rel});
      if (!S_ISDIR(st.st_mode)) continue;
      if (entry.in_lower && fs::is_opaque_dir(upper_ + rel)) hidden_by_opaque(rel, names_in_upper(rel));
      walk(rel);
    }
  }

  std::vector<Change> take() { return std::move(changes_); }

 private:
  std::set<std::string> names_in_upper(const std::string& rel) {
    std::set<std::string> names;
    for (const auto& entry : stdfs::directory_iterator(upper_ + rel)) names.insert(entry.path().filename());
    return names;
  }

  // Every lower entry under opaque @p rel that the upper dir does not have again: deleted.
  void hidden_by_opaque(const std::string& rel, const std::set<std::string>& in_upper) {
    std::set<std::string> lower_names;
    for (const auto& layer : layers_) {
      std::error_code ec;
      if (!stdfs::is_directory(layer + rel, ec)) continue;
      for (const auto& entry : stdfs::directory_iterator(layer + rel)) lower_names.insert(entry.path().filename());
    }
    for (const auto& name : lower_names)
      if (!in_upper.count(name) && in_lower(layers_, rel + "/" + name))
        changes_.push_back({ChangeKind::deleted, rel + "/" + name});
  }

  std::string upper_;
  const std::vector<std::string>& layers_;
  std::vector<Change> changes_;
};

}  // namespace

ChangeKind classify(const UpperEntry& entry) {
  ChangeKind kind = ChangeKind::added;
  // LAB 05 BEGIN: classify an entry of the upper dir: a whiteout is deleted, a name a lower layer has is changed, anything else added
  if (entry.whiteout) kind = ChangeKind::deleted;
  else if (entry.in_lower) kind = ChangeKind::changed;
  // LAB 05 END
  return kind;
}

char letter(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::added: return 'A';
    case ChangeKind::changed: return 'C';
    case ChangeKind::deleted: return 'D';
  }
  return '?';
}

std::vector<Change> diff(const std::string& upper, const std::vector<std::string>& layers) {
  return with_context("diff " + upper, [&] {
    if (!stdfs::is_directory(upper)) throw Error("the upper dir " + upper + " does not exist");
    Walker walker(upper, layers);
    walker.walk("");
    std::vector<Change> changes = walker.take();
    std::sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) { return a.path < b.path; });
    return changes;
  });
}

std::string format_changes(const std::vector<Change>& changes) {
  std::string out;
  for (const auto& change : changes) out += std::string(1, letter(change.kind)) + " " + change.path + "\n";
  return out;
}

}  // namespace boxlab::container
