// A container's volumes over its life: attached at create, copied up at the first start,
// released with the container.
//
// Order matters at create: the mounts go into the spec after Docker's defaults (/proc, /dev,
// /etc/hosts ...), because init applies them in order and a later mount hides an earlier one on
// the same path: `-v data:/etc/hosts` must win, as in Docker.
//
// Interface: attach_mounts, containers_using_volume, volumes_in_use, copy_up_volumes,
//   remove_anonymous_volumes
#include "boxlab/container/container_volumes.hpp"

#include <algorithm>

#include "boxlab/container/volume_copy_up.hpp"
#include "boxlab/sys/error.hpp"

namespace boxlab::container {

namespace {

std::set<std::string> volume_names(const VolumeStore& volumes) {
  std::set<std::string> names;
  for (const auto& v : volumes.list()) names.insert(v.name);
  return names;
}

bool mounts_volume(const ContainerConfig& config, const std::string& name) {
  return std::any_of(config.mounts.begin(), config.mounts.end(),
                     [&](const MountPoint& p) { return p.type == "volume" && p.name == name; });
}

}  // namespace

std::vector<std::string> attach_mounts(ContainerConfig& config, std::vector<MountRequest> requests,
                                       const std::vector<std::string>& image_volumes, const VolumeStore& volumes) {
  add_image_volumes(requests, image_volumes);
  if (requests.empty()) return {};
  std::set<std::string> before = volume_names(volumes);
  auto made_since_before = [&] {
    std::vector<std::string> made;
    for (const auto& name : volume_names(volumes))
      if (!before.count(name)) made.push_back(name);
    return made;
  };
  std::vector<ResolvedMount> resolved;
  try {
    resolved = resolve_mounts(requests, volumes);
  } catch (...) {
    // A bad mount after a good one: the volumes made for the good one go too.
    for (const auto& name : made_since_before()) volumes.remove(name);
    throw;
  }
  for (const auto& r : resolved) {
    config.spec.mounts.push_back(r.mount);
    config.mounts.push_back(r.point);
    if (r.copy_up) config.copy_up.push_back(r.point.destination);
  }
  return made_since_before();
}

std::vector<std::string> containers_using_volume(const ContainerStore& store, const std::string& name) {
  std::vector<std::string> ids;
  for (const auto& c : store.list())
    if (mounts_volume(c.config, name)) ids.push_back(c.config.id);
  return ids;
}

std::set<std::string> volumes_in_use(const ContainerStore& store) {
  std::set<std::string> names;
  for (const auto& c : store.list())
    for (const auto& p : c.config.mounts)
      if (p.type == "volume") names.insert(p.name);
  return names;
}

void copy_up_volumes(const ContainerConfig& config, const std::string& rootfs) {
  for (const auto& destination : config.copy_up)
    for (const auto& p : config.mounts)
      if (p.type == "volume" && p.destination == destination)
        with_context("copy the image's " + destination + " into volume " + p.name,
                     [&] { populate_from_image(p.source, rootfs, destination); });
}

void remove_anonymous_volumes(const ContainerStore& store, const VolumeStore& volumes, const ContainerConfig& config) {
  for (const auto& p : config.mounts) {
    if (p.type != "volume" || !volumes.exists(p.name) || !volumes.find(p.name).anonymous()) continue;
    std::vector<std::string> users = containers_using_volume(store, p.name);
    std::erase(users, config.id);
    if (users.empty()) volumes.remove(p.name);
  }
}

}  // namespace boxlab::container
