// Lab 09 checks, volumes: a named volume's data outlives the containers that wrote it; a bind
// mount shows a host directory (read-only when asked) and a tmpfs is memory; an image's VOLUME
// gets an anonymous volume filled from the image, which `rm -v` removes; a bind target that is
// a symlink pointing out of the rootfs is resolved inside it; bad specs, missing sources and
// removing a volume in use are refused in one line, with nothing made.
#include <chrono>
#include <filesystem>
#include <fstream>

#include "../src/context.hpp"
#include "../src/diagnose.hpp"
#include "boxlab/sys/syscall.hpp"
#include "bad_input.hpp"
#include "checks.hpp"
#include "image_probe.hpp"
#include "rootfs.hpp"

namespace checker {

namespace {

namespace stdfs = std::filesystem;

// The image of these checks: busybox + /probe, a VOLUME /seed holding /seed/hello, and /escape,
// a symlink to a directory of the host (work_dir/outside), as a hostile image could ship.
constexpr const char* kVolumeImage = "volumes:1";

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string read_text(const stdfs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

stdfs::path outside_dir(Context& ctx) { return ctx.work_dir() / "outside"; }

void load_volume_image(Context& ctx) {
  stdfs::path rootfs = make_rootfs(ctx);
  stdfs::create_directories(rootfs / "seed");
  std::ofstream(rootfs / "seed/hello") << "seeded-by-image\n";
  stdfs::create_directories(outside_dir(ctx));
  stdfs::create_directory_symlink(outside_dir(ctx), rootfs / "escape");
  load_image(ctx, rootfs, kVolumeImage,
             {{"Env", {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}}, {"Cmd", {"/bin/sh"}}, {"Volumes", {{"/seed", Json::object()}}}});
}

// A host directory with one file, "in", holding "from-host".
stdfs::path host_dir(Context& ctx) {
  stdfs::path dir = ctx.work_dir() / "host";
  stdfs::create_directories(dir);
  std::ofstream(dir / "in") << "from-host\n";
  return dir;
}

void volume_persists(Context& ctx) {
  load_volume_image(ctx);
  LabRun created = ctx.run({"volume", "create", "chkdata"});
  expect_exit(created, 0, "volume create chkdata");
  LabRun write = ctx.run({"run", "--rm", "-v", "chkdata:/data", kVolumeImage, "/bin/sh", "-c", "echo kept-by-volume > /data/f"});
  LabRun read = ctx.run({"run", "--rm", "-v", "chkdata:/data", kVolumeImage, "/bin/cat", "/data/f"});
  LabRun inspected = ctx.run({"volume", "inspect", "chkdata"});
  Json doc = Json::parse(inspected.out, nullptr, false);
  std::string mountpoint = doc.is_array() && doc.size() == 1 ? doc[0].value("Mountpoint", "") : "";
  std::string on_host = mountpoint.empty() ? "" : read_text(stdfs::path(mountpoint) / "f");
  LabRun removed = ctx.run({"volume", "rm", "chkdata"});
  LabRun listed = ctx.run({"volume", "ls", "-q"});
  expect_exit(write, 0, "run --rm -v chkdata:/data ... echo kept-by-volume > /data/f");
  require(read.code() == 0 && trim(read.out) == "kept-by-volume",
          {"a second container to read /data/f from volume chkdata", describe_run(read),
           "bind the volume's _data directory at the destination; never delete it with the container"});
  require(!mountpoint.empty() && trim(on_host) == "kept-by-volume",
          {"volume inspect's Mountpoint to hold the file on the host", mountpoint + ": " + on_host,
           "print the volume's _data directory as Mountpoint"});
  expect_exit(removed, 0, "volume rm chkdata");
  require(listed.out.find("chkdata") == std::string::npos && !stdfs::exists(mountpoint),
          {"chkdata gone after volume rm", listed.out, "remove the volume's directory and record"});
}

void bind_mounts(Context& ctx) {
  load_volume_image(ctx);
  stdfs::path host = host_dir(ctx);
  LabRun rw = ctx.run({"run", "--rm", "-v", host.string() + ":/mnt", kVolumeImage, "/bin/sh", "-c",
                       "cat /mnt/in && echo from-container > /mnt/out"});
  LabRun ro = ctx.run({"run", "--rm", "-v", host.string() + ":/mnt:ro", kVolumeImage, "/bin/sh", "-c", "echo changed > /mnt/in"});
  LabRun tmpfs = ctx.run({"run", "--rm", "--mount", "type=tmpfs,destination=/scratch", kVolumeImage, "/bin/grep", " /scratch ",
                          "/proc/mounts"});
  require(rw.code() == 0 && rw.out.find("from-host") != std::string::npos && trim(read_text(host / "out")) == "from-container",
          {"-v HOST:/mnt to show the host's file and keep the container's write", describe_run(rw),
           "bind-mount the host path (open_tree before pivot_root, move_mount after)"});
  require(ro.code() != 0 && trim(read_text(host / "in")) == "from-host",
          {"-v HOST:/mnt:ro to refuse the write", describe_run(ro), "make the bind read-only (mount_setattr MOUNT_ATTR_RDONLY)"});
  require(tmpfs.code() == 0 && tmpfs.out.find("tmpfs") != std::string::npos,
          {"--mount type=tmpfs,destination=/scratch to be a tmpfs", describe_run(tmpfs), "mount a tmpfs at the destination"});
}

void image_volume(Context& ctx) {
  load_volume_image(ctx);
  LabRun run = ctx.run({"run", "--name", "seeded", kVolumeImage, "/bin/cat", "/seed/hello"});
  Json mounts = inspect(ctx, "seeded")["Mounts"];
  std::string name = mounts.is_array() && mounts.size() == 1 ? mounts[0].value("Name", "") : "";
  LabRun before = ctx.run({"volume", "ls", "-q"});
  LabRun removed = ctx.run({"rm", "-v", "seeded"});
  LabRun after = ctx.run({"volume", "ls", "-q"});
  require(run.code() == 0 && trim(run.out) == "seeded-by-image",
          {"the image's VOLUME /seed to start with the image's /seed/hello", describe_run(run),
           "give each image VOLUME an anonymous volume and copy the image's files into it at the first start"});
  require(name.size() == 64 && mounts[0].value("Destination", "") == "/seed" && mounts[0].value("Type", "") == "volume",
          {"inspect's Mounts: one anonymous volume at /seed", mounts.dump(), "record the mounts for inspect"});
  require(before.out.find(name) != std::string::npos, {"volume ls to list " + name, before.out, "create the anonymous volume in the store"});
  expect_exit(removed, 0, "rm -v seeded");
  require(after.out.find(name) == std::string::npos,
          {"rm -v to remove the container's anonymous volume", after.out, "rm -v: remove the anonymous volumes no other container uses"});
}

void symlink_inside(Context& ctx) {
  load_volume_image(ctx);
  stdfs::path host = host_dir(ctx);
  std::string target = (outside_dir(ctx) / "x").string();
  LabRun run = ctx.run({"run", "--rm", "-v", host.string() + ":/escape/x", kVolumeImage, "/bin/cat", target + "/in"});
  bool leaked = stdfs::exists(outside_dir(ctx) / "x");
  require(!leaked, {"nothing created on the host at " + target, "it exists: the bind target was resolved on the host",
                    "resolve the destination after pivot_root, name by name, inside the container's root"});
  require(run.code() == 0 && trim(run.out) == "from-host",
          {"the bind at /escape/x, resolved inside the rootfs (at " + target + " there)", describe_run(run),
           "follow the symlink inside the container's root and mount there"});
}

void bad_input(Context& ctx) {
  load_volume_image(ctx);
  expect_exit(ctx.run({"create", "--name", "holder", "-v", "chkbusy:/d", kVolumeImage}), 0, "create --name holder -v chkbusy:/d");
  LabRun volumes_before = ctx.run({"volume", "ls", "-q"});
  std::vector<BadInput> cases{
      {{"volume", "rm", "chkbusy"}, 1, "in use"},
      {{"volume", "inspect", "chknone"}, 1, "No such volume"},
      {{"run", "--mount", "type=bind,source=/nonexistent-boxlab-check,target=/x", kVolumeImage}, 125, "does not exist"},
      {{"run", "-v", "/tmp:relative", kVolumeImage}, 125, "absolute"},
      {{"run", "-v", "bad name:/b", kVolumeImage}, 125, "invalid characters"},
      {{"run", "-v", "chkok:/a", "--mount", "type=bind,source=/nonexistent-boxlab-check,target=/b", kVolumeImage}, 125, "does not exist"},
      {{"run", "--name", "holder", "-v", "chknew:/a", kVolumeImage}, 125, "already in use"},
  };
  std::vector<std::string> failures = wrongly_refused(ctx, cases);
  LabRun volumes_after = ctx.run({"volume", "ls", "-q"});
  LabRun containers = ctx.run({"ps", "-a", "-q"});
  ctx.run({"rm", "-v", "holder"});
  ctx.run({"volume", "rm", "chkbusy"});
  require(failures.empty(), {"each bad input refused: one line, docker's exit code", join(failures),
                             "check -v/--mount and the volume before creating anything"});
  require(volumes_after.out == volumes_before.out && count_lines(containers.out) == 1,
          {"no volume and no container left by the refused commands", volumes_after.out + containers.out,
           "on a failed create, remove the volumes it made"});
}

}  // namespace

std::vector<Check> lab09_checks() {
  using std::chrono::milliseconds;
  return {
      {"volume_persists", 9, "a named volume's data outlives its containers; volume inspect shows it; volume rm removes it", 3, "", milliseconds(20000), volume_persists},
      {"bind_mounts", 9, "-v HOST:/mnt shows and keeps files, :ro refuses writes, --mount type=tmpfs is a tmpfs", 3, "volume_persists", milliseconds(20000), bind_mounts},
      {"image_volume", 9, "an image's VOLUME gets an anonymous volume with the image's files; rm -v removes it", 2, "volume_persists", milliseconds(20000), image_volume},
      {"symlink_inside", 9, "a bind target that is a symlink out of the rootfs is resolved inside it", 2, "bind_mounts", milliseconds(20000), symlink_inside},
      {"bad_input", 9, "a volume in use, a missing --mount source, bad -v specs, a name in use: one line each, nothing made", 2, "volume_persists", milliseconds(30000), bad_input},
  };
}

}  // namespace checker
