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
  load_image(ctx, make_rootfs(ctx), kImage,
             {{"Env", {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=from-image"}}, {"Cmd", {"/probe"}}, {"WorkingDir", "/tmp"}});
}

void load_image(Context& ctx, const stdfs::path& rootfs, const std::string& name, const Json& container_config) {
  std::string slug = name;
  for (char& c : slug)
    if (c == ':' || c == '/') c = '-';
  stdfs::path dir = ctx.work_dir() / ("image-" + slug);
  stdfs::path archive_path = ctx.work_dir() / (slug + ".tar");
  stdfs::create_directories(dir);
  ToolRun tar = run_tool(ctx, {"tar", "-C", rootfs.string(), "--numeric-owner", "-cf", (dir / "layer.tar").string(), "."});
  require(tar.code == 0, {"tar to pack the probe image's layer", tar.out, "is tar installed?"});
  std::string diff_id = boxlab::image::sha256_of_file(dir / "layer.tar").str();
  Json config{{"architecture", "amd64"},
              {"os", "linux"},
              {"config", container_config},
              {"rootfs", {{"type", "layers"}, {"diff_ids", {diff_id}}}}};
  std::ofstream(dir / "config.json") << config.dump();
  std::ofstream(dir / "manifest.json") << Json::array({{{"Config", "config.json"}, {"RepoTags", {name}}, {"Layers", {"layer.tar"}}}}).dump();
  ToolRun archive = run_tool(ctx, {"tar", "-C", dir.string(), "-cf", archive_path.string(), "manifest.json", "config.json", "layer.tar"});
  require(archive.code == 0, {"tar to pack the image " + name, archive.out, "is tar installed?"});
  expect_exit(ctx.run({"load", "-i", archive_path.string()}), 0, "load of the image " + name + " (lab 06)");
}

Json inspect(Context& ctx, const std::string& name) {
  LabRun run = ctx.run({"inspect", name});
  expect_exit(run, 0, "inspect " + name);
  Json doc = Json::parse(run.out, nullptr, false);
  require(doc.is_array() && doc.size() == 1, {"inspect to print a JSON array of one object", run.out, "print docker inspect's JSON"});
  return doc[0];
}

}  // namespace checker
