// The probe image and inspect, for the checks of labs 07 on (image_probe.hpp).
#include "image_probe.hpp"

#include <filesystem>
#include <fstream>

#include "../src/diagnose.hpp"
#include "boxlab/image/digest.hpp"
#include "rootfs.hpp"

namespace checker {

namespace stdfs = std::filesystem;

// busybox + /probe as a docker-save archive with its own config, loaded as probe:1.
void load_probe_image(Context& ctx) {
  stdfs::path rootfs = make_rootfs(ctx);
  stdfs::path dir = ctx.work_dir() / "image";
  stdfs::create_directories(dir);
  ToolRun tar = run_tool(ctx, {"tar", "-C", rootfs.string(), "--numeric-owner", "-cf", (dir / "layer.tar").string(), "."});
  require(tar.code == 0, {"tar to pack the probe image's layer", tar.out, "is tar installed?"});
  std::string diff_id = boxlab::image::sha256_of_file(dir / "layer.tar").str();
  Json config{{"architecture", "amd64"},
              {"os", "linux"},
              {"config", {{"Env", {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=from-image"}},
                          {"Cmd", {"/probe"}},
                          {"WorkingDir", "/tmp"}}},
              {"rootfs", {{"type", "layers"}, {"diff_ids", {diff_id}}}}};
  std::ofstream(dir / "config.json") << config.dump();
  std::ofstream(dir / "manifest.json") << Json::array({{{"Config", "config.json"}, {"RepoTags", {kImage}}, {"Layers", {"layer.tar"}}}}).dump();
  ToolRun archive = run_tool(ctx, {"tar", "-C", dir.string(), "-cf", (ctx.work_dir() / "probe.tar").string(),
                                   "manifest.json", "config.json", "layer.tar"});
  require(archive.code == 0, {"tar to pack the probe image", archive.out, "is tar installed?"});
  expect_exit(ctx.run({"load", "-i", (ctx.work_dir() / "probe.tar").string()}), 0, "load of the probe image (lab 06)");
}

Json inspect(Context& ctx, const std::string& name) {
  LabRun run = ctx.run({"inspect", name});
  expect_exit(run, 0, "inspect " + name);
  Json doc = Json::parse(run.out, nullptr, false);
  require(doc.is_array() && doc.size() == 1, {"inspect to print a JSON array of one object", run.out, "print docker inspect's JSON"});
  return doc[0];
}

}  // namespace checker
