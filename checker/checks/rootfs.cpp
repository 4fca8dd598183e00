// A private busybox rootfs per check, with the probe inside: what labs 03 on run containers in.
#include "rootfs.hpp"

#include <fstream>

#include "../src/check.hpp"

namespace checker {

namespace stdfs = std::filesystem;

stdfs::path make_rootfs(Context& ctx) {
  stdfs::path image = stdfs::path(BOXLAB_BUSYBOX_DIR) / "rootfs";
  if (!stdfs::is_directory(image))
    throw Failure({"the busybox rootfs at " + image.string(), "it does not exist",
                   "build it first: cmake --build build --target busybox-image"});
  stdfs::path rootfs = ctx.work_dir() / "rootfs";
  stdfs::copy(image, rootfs, stdfs::copy_options::recursive | stdfs::copy_options::copy_symlinks);
  std::ofstream(rootfs / kMarker) << "this file is only in the container's rootfs\n";
  install_probe(ctx.built_probe(), rootfs);
  ctx.log("rootfs: a copy of " + image.string() + " with /probe and /" + kMarker);
  return rootfs;
}

Json run_probe(Context& ctx, const stdfs::path& rootfs, std::vector<std::string> probe_args,
               std::vector<std::string> extra_flags) {
  std::vector<std::string> args{"run", "--rootfs", rootfs.string()};
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());
  args.push_back("/probe");
  args.insert(args.end(), probe_args.begin(), probe_args.end());
  return probe_report(ctx.run(args));
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace checker
