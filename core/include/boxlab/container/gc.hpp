/**
 * @file gc.hpp
 * @brief Clean up after runtimes that died without cleaning up (SIGKILL, a crash, a reboot of
 * the machine's /run is not needed: those records vanish by themselves).
 */
#pragma once

#include <string>

namespace boxlab::container {

/**
 * @brief Remove every container record under @p containers_dir whose runtime is gone (its lock
 * is free), with the container's cgroup and any process still in it. Returns how many.
 *
 * Labs call it when they start, so what a killed runtime left lasts only until the next command.
 */
int collect_garbage(const std::string& containers_dir);

}  // namespace boxlab::container
