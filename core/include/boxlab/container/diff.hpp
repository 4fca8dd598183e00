/**
 * @file diff.hpp
 * @brief What a container changed in its filesystem, as `docker diff` lists it, read from the
 * upper dir of its overlay.
 */
#pragma once

#include <string>
#include <vector>

namespace boxlab::container {

/// docker diff's three kinds: A added, C changed, D deleted.
enum class ChangeKind { added, changed, deleted };

/// One line of docker diff: a kind and an absolute path inside the container.
struct Change {
  ChangeKind kind;   ///< added, changed or deleted
  std::string path;  ///< absolute, inside the container
  /// Same kind and path.
  bool operator==(const Change&) const = default;
};

/// What an entry of the upper dir says, seen from the lower layers.
struct UpperEntry {
  bool whiteout = false;  ///< a 0:0 character device: the container deleted the name
  bool in_lower = false;  ///< the name exists in a lower layer (not whited out there)
};

/// Classify one entry of the upper dir: a whiteout is D, a name the layers had is C, else A.
ChangeKind classify(const UpperEntry& entry);

/// 'A', 'C' or 'D'.
char letter(ChangeKind kind);

/**
 * @brief The changes of a container whose writable layer is @p upper over @p layers (BASE
 * FIRST), sorted by path. Directories the container changed something in show as C, as in
 * Docker; an opaque directory shows as C and each lower entry it hides as D.
 */
std::vector<Change> diff(const std::string& upper, const std::vector<std::string>& layers);

/// docker diff's output: "A /path" lines, one per change.
std::string format_changes(const std::vector<Change>& changes);

}  // namespace boxlab::container
