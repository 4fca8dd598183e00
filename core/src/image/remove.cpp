// Removing images: untag, then collect garbage.
//
// The store is garbage collected like a mark-and-sweep heap: index.json's names are the roots,
// a manifest points to its config and layers, and every blob no root reaches is deleted
// (Store::remove_unreferenced_blobs). Unpacked layers are swept the same way by diff_id, keeping
// the layers running containers stand on. So `rmi` only has to decide which names to remove;
// what it frees follows from the names left.
//
// Interface: remove_image, prune_images, Removal::lines
#include "boxlab/image/remove.hpp"

#include "boxlab/image/image.hpp"
#include "boxlab/sys/error.hpp"

namespace boxlab::image {

namespace {

void sweep(const Store& store, const LayerStore& layers, const std::set<std::string>& kept_layers, Removal& removal) {
  store.remove_unreferenced_blobs(&removal.reclaimed);
  for (const auto& layer : layers.remove_unused(store, kept_layers)) {
    removal.deleted.push_back(layer.diff_id.str());
    removal.reclaimed += layer.size;
  }
}

bool still_stored(const Store& store, const Image& image) {
  for (const auto& stored : store.list())
    if (stored.manifest.digest == image.manifest.digest) return true;
  return false;
}

std::set<std::string> layers_in_use(const Store& store, const ImagesInUse& in_use) {
  std::set<std::string> hexes;
  for (const auto& image : list_images(store))
    if (in_use.count(image.id()))
      for (const auto& diff_id : image.diff_ids) hexes.insert(diff_id.hex);
  return hexes;
}

}  // namespace

std::string Removal::lines() const {
  std::string out;
  for (const auto& name : untagged) out += "Untagged: " + name + "\n";
  for (const auto& id : deleted) out += "Deleted: " + id + "\n";
  return out;
}

Removal remove_image(const Store& store, const LayerStore& layers, std::string_view name_or_id, bool force,
                     const ImagesInUse& in_use) {
  Image image = find_image(store, name_or_id);
  std::vector<std::string> names;
  std::string asked;
  try {
    asked = Reference::parse(name_or_id).str();
  } catch (const Error&) {  // "sha256:…" is an id, not a name
  }
  for (const auto& name : image.names)
    if (Reference::parse(name).str() == asked) names = {name};
  bool by_name = !names.empty();
  if (!by_name) names = image.names;
  auto user = in_use.find(image.id());
  if (user != in_use.end() && !force)
    throw Error("conflict: unable to remove " + std::string(name_or_id) + " (must force) - container " +
                user->second.substr(0, 12) + " is using its referenced image " + image.short_id());
  if (!by_name && names.size() > 1 && !force)
    throw Error("conflict: unable to delete " + image.short_id() +
                " (must be forced) - image is referenced in multiple repositories");
  Removal removal;
  for (const auto& name : names) {
    Reference ref = Reference::parse(name);
    if (store.untag(ref)) removal.untagged.push_back(ref.familiar());
  }
  if (!image.repo_digest.empty() && !still_stored(store, image))
    removal.untagged.push_back(Reference::parse(image.repo_digest).familiar());
  if (still_stored(store, image) || user != in_use.end()) return removal;
  removal.deleted.push_back(image.id());
  sweep(store, layers, layers_in_use(store, in_use), removal);
  return removal;
}

Removal prune_images(const Store& store, const LayerStore& layers, bool all, const ImagesInUse& in_use) {
  Removal removal;
  if (all) {
    for (const auto& image : list_images(store)) {
      if (in_use.count(image.id())) continue;
      for (const auto& name : image.names)
        if (store.untag(Reference::parse(name))) removal.untagged.push_back(Reference::parse(name).familiar());
      removal.deleted.push_back(image.id());
    }
  }
  sweep(store, layers, layers_in_use(store, in_use), removal);
  return removal;
}

}  // namespace boxlab::image
