/**
 * @file handout.hpp
 * @brief Writing a student's handout: boxlab with the code of a lab and later labs taken out.
 *
 * Core code that a lab asks students to write sits between two marker lines:
 *
 *     // LAB 02 BEGIN: set the hostname; in a new UTS namespace only the container sees it
 *     sys::sethostname(hostname);
 *     // LAB 02 END
 *
 * A handout for lab NN replaces each region of lab NN or later by one line, at the indentation
 * of its BEGIN line, that throws "not written yet: lab02: set the hostname; …" when it runs:
 *
 *     boxlab::todo("lab02: set the hostname; in a new UTS namespace only the container sees it");
 *
 * so the handout builds, and each check of the lab fails until the student writes the code.
 * Regions of earlier labs are kept (the student has written those already).
 */
#pragma once

#include <filesystem>

namespace checker {

/**
 * @brief Copy the source tree at @p source to @p out as the handout of lab @p lab.
 *
 * Copies everything except `.git` and `node_modules` (at any depth) and the top-level `build*`
 * and `out` directories, keeping file modes and symlinks. In every *.cpp, *.hpp and *.c file,
 * each region `// LAB MM BEGIN: <what>` … `// LAB MM END` with MM >= @p lab becomes one line
 * `boxlab::todo("labMM: <what>");` at the region's indentation, and the file is made to include
 * "boxlab/sys/error.hpp" (a C file gets an fprintf + exit(125) with the same message instead).
 * Writes HANDOUT.md at the root: the regions to write, per lab, and how to build and check.
 *
 * The whole tree is read and checked before anything is written, so a malformed tree leaves
 * nothing behind.
 *
 * @throws boxlab::Error "FILE:LINE: …" on a malformed region (BEGIN without END, END without
 *         BEGIN, nested regions, mismatched lab numbers, a marker not written as above); when
 *         @p out is inside @p source (except under a directory the copy leaves out, such as a
 *         top-level build*) or is an existing non-empty directory; on I/O errors.
 */
void write_handout(const std::filesystem::path& source, int lab, const std::filesystem::path& out);

}  // namespace checker
