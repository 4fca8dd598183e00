// Root tests of container::run against the real kernel: namespaces, pivot_root, /proc, /dev,
// /sys, masked paths, user namespaces; and that a run leaves no mount or process behind.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "boxlab/container/run.hpp"
#include "boxlab/security/capabilities.hpp"
#include "boxlab/sys/terminal.hpp"
#include "boxlab/ns/namespace.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "catch.hpp"
#include "root/no_leaks.hpp"
#include "root/run_captured.hpp"
#include "test_support.hpp"

namespace container = boxlab::container;
namespace stdfs = std::filesystem;
using boxlab::ns::Kind;

namespace {

using test::Ran;
using test::run_captured;

// A private copy of the busybox rootfs with a marker file, so tests can tell where they are.
struct Rootfs {
  test::TempDir dir;
  stdfs::path path = dir.path() / "rootfs";
  Rootfs() {
    stdfs::copy(test::busybox_rootfs(), path, stdfs::copy_options::recursive | stdfs::copy_options::copy_symlinks);
    std::ofstream(path / "marker") << "inside\n";
  }
};

container::Spec rootfs_spec(const Rootfs& rootfs, std::vector<std::string> args) {
  auto spec = container::default_spec(std::move(args));
  spec.root.path = rootfs.path;
  container::add_rootfs_defaults(spec);
  return spec;
}

// Every test must leave the host as it found it.
using test::NoLeaks;

}  // namespace

TEST_CASE("a container gets its own hostname and is PID 1", "[root][container]") {
  NoLeaks no_leaks;
  auto spec = container::default_spec({"/bin/sh", "-c", "hostname; echo $$"});
  spec.hostname = "box";
  std::string host_before = boxlab::sys::gethostname();
  auto r = run_captured(spec);
  CHECK(r.code == 0);
  CHECK(r.out == "box\n1\n");
  CHECK(boxlab::sys::gethostname() == host_before);
}

TEST_CASE("the container's namespaces are new, except the ones not asked for", "[root][container]") {
  NoLeaks no_leaks;
  auto spec = container::default_spec({"/bin/sh", "-c", "stat -L -c %i /proc/self/ns/uts /proc/self/ns/user"});
  auto r = run_captured(spec);
  REQUIRE(r.code == 0);
  std::istringstream in(r.out);
  ino_t uts = 0, user = 0;
  in >> uts >> user;
  CHECK(uts != boxlab::ns::inode(0, Kind::uts));
  CHECK(user == boxlab::ns::inode(0, Kind::user));
}

TEST_CASE("pivot_root puts the container in its rootfs, with nothing of the host above", "[root][container][fs]") {
  NoLeaks no_leaks;
  Rootfs rootfs;
  // Field 5 of mountinfo is the mount point (proc(5)): the host's mount points must be gone.
  auto r = run_captured(rootfs_spec(rootfs, {"/bin/sh", "-c", "cat /marker; cut -d' ' -f5 /proc/self/mountinfo"}));
  CHECK(r.code == 0);
  CHECK(r.out.rfind("inside\n/\n", 0) == 0);
  CHECK(r.out.find(rootfs.path.string()) == std::string::npos);
  CHECK(r.out.find("/tmp") == std::string::npos);
}

TEST_CASE("/proc, /dev and /sys are the container's own", "[root][container][fs]") {
  NoLeaks no_leaks;
  Rootfs rootfs;
  // With exec, ls is PID 1 and the only process: /proc shows the container's PID namespace.
  auto pids = run_captured(rootfs_spec(rootfs, {"/bin/sh", "-c", "exec ls -d /proc/[0-9]*"}));
  CHECK(pids.out == "/proc/1\n");
  auto r = run_captured(rootfs_spec(rootfs, {"/bin/sh", "-c",
      "ls -d /proc/[0-9]* | wc -l; ls /dev | tr '\\n' ' '; echo; "
      "stat -c %F /dev/null; touch /sys/x 2>/dev/null || echo sys-ro; grep ' /sys ' /proc/self/mounts"}));
  CHECK(r.code == 0);
  CHECK(std::stoi(r.out) <= 3);  // sh, ls and wc at most: only the container's processes
  CHECK(r.out.find("core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero") != std::string::npos);
  CHECK(r.out.find("character special file") != std::string::npos);
  CHECK(r.out.find("sys-ro") != std::string::npos);
  CHECK(r.out.find("sysfs /sys sysfs ro,") != std::string::npos);
}

TEST_CASE("Docker's masked and read-only paths are applied", "[root][container][fs]") {
  NoLeaks no_leaks;
  Rootfs rootfs;
  auto r = run_captured(rootfs_spec(rootfs, {"/bin/sh", "-c",
      "grep -E ' /proc/(sys|keys|timer_list) ' /proc/self/mountinfo | cut -d' ' -f5,6"}));
  CHECK(r.code == 0);
  CHECK(r.out.find("/proc/sys ro,") != std::string::npos);
  if (stdfs::exists("/proc/keys")) CHECK(r.out.find("/proc/keys ") != std::string::npos);
}

TEST_CASE("--read-only makes the root filesystem read-only", "[root][container][fs]") {
  NoLeaks no_leaks;
  Rootfs rootfs;
  auto spec = rootfs_spec(rootfs, {"/bin/sh", "-c", "touch /x 2>/dev/null && echo wrote || echo read-only"});
  spec.root.readonly = true;
  CHECK(run_captured(spec).out == "read-only\n");
  CHECK_FALSE(stdfs::exists(rootfs.path / "x"));
}

TEST_CASE("a user namespace maps root inside to an unprivileged uid outside", "[root][container][user]") {
  NoLeaks no_leaks;
  auto spec = container::default_spec({"/bin/sh", "-c", "id -u; cat /proc/self/uid_map"});
  spec.linux.namespaces.push_back({Kind::user, ""});
  spec.linux.uid_mappings = {{0, 100000, 65536}};
  spec.linux.gid_mappings = {{0, 100000, 65536}};
  auto r = run_captured(spec);
  CHECK(r.code == 0);
  CHECK(r.out.rfind("0\n", 0) == 0);
  CHECK(r.out.find("100000") != std::string::npos);
}

TEST_CASE("bad input is refused before anything is created", "[root][container][bad-input]") {
  NoLeaks no_leaks;
  auto spec = container::default_spec({"/bin/true"});
  spec.root.path = "/no/such/rootfs";
  CHECK_THROWS_WITH(run_captured(spec), test::contains("rootfs /no/such/rootfs cannot be used"));
  spec = container::default_spec({"/bin/true"});
  spec.hostname = std::string(65, 'x');
  CHECK_THROWS_WITH(run_captured(spec), test::contains("at most 64"));
}

TEST_CASE("a failing step inside the container is reported and leaves nothing", "[root][container]") {
  NoLeaks no_leaks;
  Rootfs rootfs;
  auto spec = rootfs_spec(rootfs, {"/bin/true"});
  spec.process.cwd = "/no/such/dir";
  CHECK_THROWS_WITH(run_captured(spec), "change to working directory: chdir /no/such/dir: No such file or directory");
  spec = rootfs_spec(rootfs, {"bash"});
  try {
    run_captured(spec);
    FAIL("no throw");
  } catch (const boxlab::Error& e) {
    CHECK(e.exit_code() == 127);
  }
}

TEST_CASE("setns joins a running container's namespace", "[root][ns]") {
  NoLeaks no_leaks;
  boxlab::sys::SpawnOptions sleeper;
  sleeper.args = {"/bin/sh", "-c", "hostname joined-box; exec sleep 30"};
  sleeper.clone_flags = boxlab::ns::clone_flag(Kind::uts);
  boxlab::sys::Child container = boxlab::sys::spawn(sleeper);
  // Wait until the hostname is set (the shell runs it right after exec).
  for (int i = 0; i < 100 && boxlab::sys::readlink("/proc/" + std::to_string(container.pid()) + "/exe") != "/usr/bin/sleep"; ++i)
    ::usleep(20000);
  boxlab::sys::SpawnOptions joiner;
  joiner.args = {"/bin/hostname"};
  joiner.child_setup = [pid = container.pid()] { boxlab::ns::enter(pid, Kind::uts); };
  CHECK(test::capture(joiner).out == "joined-box\n");
  container.kill(SIGKILL);
  container.wait();
}

TEST_CASE("killing the runtime kills the container: nothing runs unwatched", "[root][container]") {
  NoLeaks no_leaks;
  std::string lab03 = std::string(BOXLAB_BINARY_DIR) + "/labs/lab03";
  boxlab::sys::SpawnOptions o;
  o.args = {lab03, "run", "/bin/sleep", "1234.5"};
  boxlab::sys::Child runtime = boxlab::sys::spawn(o);
  pid_t sleeper = 0;
  for (int i = 0; i < 200 && !sleeper; ++i) {
    for (const auto& e : stdfs::directory_iterator("/proc")) {
      std::ifstream cmd(e.path() / "cmdline");
      std::string c((std::istreambuf_iterator<char>(cmd)), {});
      if (c.find("1234.5") != std::string::npos && c.find("lab03") == std::string::npos) sleeper = std::stoi(e.path().filename());
    }
    if (!sleeper) ::usleep(10000);
  }
  REQUIRE(sleeper > 0);
  runtime.kill(SIGKILL);
  CHECK(runtime.wait().signal == SIGKILL);
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = !stdfs::exists("/proc/" + std::to_string(sleeper));
    if (!gone) ::usleep(10000);
  }
  CHECK(gone);
}

TEST_CASE_METHOD(NoLeaks, "Docker's default capabilities: the bounding and effective sets keep exactly 14",
                 "[root][container][capabilities]") {
  Rootfs rootfs;
  auto spec = rootfs_spec(rootfs, {"/bin/grep", "^Cap", "/proc/self/status"});
  spec.process.capabilities = boxlab::security::docker_default_capabilities();
  Ran ran = run_captured(spec);
  REQUIRE(ran.code == 0);
  // 0x a80425fb: chown dac_override fowner fsetid kill setgid setuid setpcap net_bind_service
  // net_raw sys_chroot mknod audit_write setfcap, as `docker run busybox grep Cap /proc/self/status`.
  CHECK(test::contains("CapEff:\t00000000a80425fb").match(ran.out));
  CHECK(test::contains("CapBnd:\t00000000a80425fb").match(ran.out));
  CHECK(test::contains("CapPrm:\t00000000a80425fb").match(ran.out));
  spec.process.uid = 65534;  // a non-root user keeps the bounding set, and no capability at all
  spec.process.gid = 65534;
  ran = run_captured(spec);
  CHECK(test::contains("CapEff:\t0000000000000000").match(ran.out));
  CHECK(test::contains("CapBnd:\t00000000a80425fb").match(ran.out));
}

TEST_CASE("capability names are normalised and checked", "[container][capabilities]") {
  CHECK(boxlab::security::normalise_capability("chown") == "CAP_CHOWN");
  CHECK(boxlab::security::normalise_capability("cap_net_admin") == "CAP_NET_ADMIN");
  CHECK_THROWS_WITH(boxlab::security::normalise_capability("fly"), "unknown capability: fly");
  CHECK(boxlab::security::docker_default_capabilities().size() == 14);
}

TEST_CASE_METHOD(NoLeaks, "-t: the container's stdio is a pty whose size it sees; output is relayed",
                 "[root][container][tty]") {
  Rootfs rootfs;
  auto spec = rootfs_spec(rootfs, {"/bin/sh", "-c", "stty size; test -t 0 && test -t 1 && echo TTY"});
  spec.process.terminal = true;
  boxlab::sys::PtyPair pty = boxlab::sys::open_pty();
  boxlab::sys::set_window_size(pty.master.get(), winsize{30, 100, 0, 0});
  auto out = boxlab::sys::pipe2();
  container::RunOptions options;
  options.stdin_fd = options.stdout_fd = options.stderr_fd = pty.slave.get();
  options.terminal = boxlab::sys::TerminalRelay{pty.master.get(), -1, out.write_end.get(), -1};
  int code = container::run(spec, options).docker_code();
  out.write_end.reset();
  std::string seen;
  char buf[4096];
  while (size_t n = boxlab::sys::read(out.read_end.get(), buf, sizeof buf)) seen.append(buf, n);
  CHECK(code == 0);
  CHECK(seen == "30 100\r\nTTY\r\n");  // the pty's line discipline turns "\n" into "\r\n"
}
