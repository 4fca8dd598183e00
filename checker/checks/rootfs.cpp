// A private busybox rootfs per check, with the probe inside: what labs 03 on run containers in.
#include "rootfs.hpp"

#include <fstream>

#include "../src/check.hpp"
#include "../src/registry_server.hpp"
#include "boxlab/sys/process.hpp"
#include "boxlab/sys/syscall.hpp"

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

ToolRun run_tool(Context& ctx, std::vector<std::string> args) {
  std::string path = find_tool(args.front());
  require(!path.empty(), {args.front() + " on this machine", "it is not installed",
                          "sudo apt-get install " + args.front() + " (scripts/install-deps.sh installs it)"});
  auto pipe = boxlab::sys::pipe2();
  boxlab::sys::SpawnOptions options;
  options.args = args;
  options.stdout_fd = pipe.write_end.get();
  options.stderr_fd = pipe.write_end.get();
  boxlab::sys::Child child = boxlab::sys::spawn(options);
  pipe.write_end.reset();
  ToolRun run;
  char buffer[4096];
  while (size_t n = boxlab::sys::read(pipe.read_end.get(), buffer, sizeof buffer)) run.out.append(buffer, n);
  run.code = child.wait().docker_code();
  ctx.log("$ " + join(args) + " -> exit " + std::to_string(run.code));
  return run;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace checker
