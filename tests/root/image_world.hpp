// A private state root with busybox:latest in its store and its layer unpacked, for the root
// tests of containers made from images. Whatever containers a test leaves are removed (forced).
#pragma once

#include <string>
#include <vector>

#include "boxlab/container/lifecycle.hpp"
#include "boxlab/image/layers.hpp"
#include "boxlab/image/store.hpp"
#include "registry_fixture.hpp"
#include "test_support.hpp"

namespace test {

struct ImageWorld {
  TempDir dir;
  boxlab::container::StateRoot root{dir.path().string() + "/data", dir.path().string() + "/run"};
  boxlab::container::Containers containers = boxlab::container::Containers::of(root);
  boxlab::image::Image busybox;
  std::vector<std::string> layers;

  ImageWorld() {
    boxlab::image::Store store(root.images());
    store.import_layout(RegistryFixture::busybox_layout(), "latest", boxlab::image::Reference::parse("busybox"));
    busybox = boxlab::image::find_image(store, "busybox");
    layers = boxlab::image::LayerStore(root.layers()).ensure(store, busybox);
  }
  ~ImageWorld() {
    for (const auto& c : containers.store.list()) {
      try {
        boxlab::container::remove_container(containers, c.config.id, true, true);
      } catch (...) {
      }
    }
  }
  /// Create a container of busybox running @p command (empty: the image's Cmd).
  boxlab::container::Container create(std::vector<std::string> command, const std::string& name = "",
                                      std::vector<boxlab::container::MountRequest> mounts = {}) {
    boxlab::container::CreateOptions options;
    options.request.command = std::move(command);
    options.name = name;
    options.mounts = std::move(mounts);
    return boxlab::container::create_container(containers, busybox, "busybox", layers, options);
  }
};

}  // namespace test
