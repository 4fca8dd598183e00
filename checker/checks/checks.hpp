// The checks of each lab, declared as data in checks/labNN.cpp.
#pragma once

#include <vector>

#include "../src/check.hpp"

namespace checker {

/// lab 01, processes: exit codes, signals, a container is a host process.
std::vector<Check> lab01_checks();
/// lab 02, namespaces: hostname, PID 1, new namespace inodes, user namespace maps.
std::vector<Check> lab02_checks();
/// lab 03, root filesystem: pivot_root, /proc, /dev, /sys, masked paths, no escape.
std::vector<Check> lab03_checks();
/// lab 04, cgroups: limit files, fork bomb, OOM kill, CPU quota, stats, sweeping.
std::vector<Check> lab04_checks();
/// lab 05, layers: overlay mount and lowerdir order, whiteouts, isolation, diff, cleanup.
std::vector<Check> lab05_checks();
/// lab 06, images: a verified OCI store, layers by diff_id, registry round trip, hostile input.
std::vector<Check> lab06_checks();
/// lab 07, run: image config, isolation, logs, stop, restart policies, exec, bad input.
std::vector<Check> lab07_checks();
/// lab 08, networks: bridge, none, names on user networks, publishing, cleanup, bad input.
std::vector<Check> lab08_checks();
/// lab 09, volumes: data outlives containers, binds (ro), tmpfs, image VOLUMEs, symlinked targets, bad input.
std::vector<Check> lab09_checks();

}  // namespace checker
