// System call wrappers: the only place boxlab talks to the kernel directly.
//
// Each function makes one call and turns failure into a boxlab::Error whose message names the
// call and its key arguments, then errno's text, so "Operation not permitted" never arrives
// without saying what was not permitted. Descriptors are always opened close-on-exec: a
// container must not inherit the runtime's files (the checker verifies PID 1 has only 0, 1, 2).
//
// Interface: open openat openat2 mkdirat mknodat symlinkat linkat lchownat renameat unlinkat
//   fchmod futimens utimensat_nofollow lsetxattr lgetxattr pipe2 dup2 close_range_cloexec read write_all read_file write_file
//   stat lstat exists statfs_type kernel_release mkdir mkdir_all rmdir unlink rename fsync try_lock_exclusive lock_exclusive process_start_time getrandom random_hex total_memory mknod symlink readlink chmod chdir chroot
//   mount umount2 pivot_root open_tree_clone mount_setattr move_mount sethostname gethostname unshare setns kill setpgid pidfd_open
//   set_parent_death_signal set_ids clone3
#include "boxlab/sys/syscall.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/xattr.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

#include "boxlab/sys/error.hpp"

namespace boxlab::sys {
namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// Retry a call interrupted by a signal handler (signal(7), "Interruption of system calls").
template <typename Fn>
auto retry_eintr(Fn fn) {
  decltype(fn()) rc;
  do rc = fn();
  while (rc == -1 && errno == EINTR);
  return rc;
}

}  // namespace

UniqueFd open(const std::string& path, int flags, mode_t mode) {
  int fd = retry_eintr([&] { return ::open(path.c_str(), flags | O_CLOEXEC, mode); });
  if (fd < 0) throw_errno("open " + path);
  return UniqueFd(fd);
}

UniqueFd openat(int dirfd, const std::string& path, int flags, mode_t mode) {
  int fd = retry_eintr([&] { return ::openat(dirfd, path.c_str(), flags | O_CLOEXEC, mode); });
  if (fd < 0) throw_errno("openat " + path);
  return UniqueFd(fd);
}

Pipe pipe2(int flags) {
  int fds[2];
  if (::pipe2(fds, flags | O_CLOEXEC) < 0) throw_errno("pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void dup2(int oldfd, int newfd) {
  if (retry_eintr([&] { return ::dup2(oldfd, newfd); }) < 0)
    throw_errno("dup2 " + std::to_string(oldfd) + " to " + std::to_string(newfd));
}

void close_range_cloexec(unsigned first) {
  if (::syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  // CLOSE_RANGE_CLOEXEC is Linux 5.11; on 5.10 (EINVAL, or ENOSYS before 5.9) mark each open
  // descriptor listed in /proc/self/fd one by one.
  if (errno != EINVAL && errno != ENOSYS) throw_errno("close_range from fd " + std::to_string(first));
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) throw_errno("opendir /proc/self/fd");
  std::vector<int> fds;
  while (struct dirent* entry = ::readdir(dir)) {
    int fd = std::atoi(entry->d_name);
    if (entry->d_name[0] != '.' && fd >= static_cast<int>(first) && fd != ::dirfd(dir)) fds.push_back(fd);
  }
  ::closedir(dir);
  for (int fd : fds) ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

size_t read(int fd, void* buf, size_t len) {
  ssize_t n = retry_eintr([&] { return ::read(fd, buf, len); });
  if (n < 0) throw_errno("read fd " + std::to_string(fd));
  return static_cast<size_t>(n);
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = retry_eintr([&] { return ::write(fd, data.data(), data.size()); });
    if (n < 0) throw_errno("write fd " + std::to_string(fd));
    data.remove_prefix(static_cast<size_t>(n));
  }
}

std::string read_file(const std::string& path) {
  UniqueFd fd = sys::open(path, O_RDONLY);
  std::string out;
  char buf[8192];
  while (size_t n = with_context("read " + path, [&] { return sys::read(fd.get(), buf, sizeof buf); }))
    out.append(buf, n);
  return out;
}

void write_file(const std::string& path, std::string_view data) {
  UniqueFd fd = sys::open(path, O_WRONLY);
  // procfs and cgroupfs files take one write(2) each; a short write is an error for them.
  ssize_t n = retry_eintr([&] { return ::write(fd.get(), data.data(), data.size()); });
  if (n < 0) throw_errno("write " + quoted(data.substr(0, 40)) + " to " + path);
  if (static_cast<size_t>(n) != data.size()) throw Error("short write to " + path);
}

int poll(struct pollfd* fds, unsigned long count, int timeout_ms) {
  int ready = retry_eintr([&] { return ::poll(fds, count, timeout_ms); });
  if (ready < 0) throw_errno("poll");
  return ready;
}

void setsid() {
  if (::setsid() < 0) throw_errno("setsid");
}

void write_file_atomically(const std::string& path, std::string_view data, mode_t mode) {
  std::string temp = path + ".tmp-" + std::to_string(::getpid());
  try {
    UniqueFd fd = sys::open(temp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    write_all(fd.get(), data);
    fsync(fd.get());
    rename(temp, path);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  fsync(sys::open(dir.empty() ? "/" : dir, O_RDONLY | O_DIRECTORY).get());  // make the rename itself durable
}

struct stat stat(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) < 0) throw_errno("stat " + path);
  return st;
}

struct stat lstat(const std::string& path) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) < 0) throw_errno("lstat " + path);
  return st;
}

bool exists(const std::string& path) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  throw_errno("lstat " + path);
}

long statfs_type(const std::string& path) {
  struct statfs st{};
  if (::statfs(path.c_str(), &st) == 0) return static_cast<long>(st.f_type);
  if (errno == ENOENT || errno == ENOTDIR) return 0;
  throw_errno("statfs " + path);
}

std::string kernel_release() {
  struct utsname u{};
  if (::uname(&u) < 0) throw_errno("uname");
  return u.release;
}

void mkdir(const std::string& path, mode_t mode, bool exist_ok) {
  if (::mkdir(path.c_str(), mode) == 0) return;
  if (exist_ok && errno == EEXIST) {
    struct stat st{};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return;
    errno = EEXIST;
  }
  throw_errno("mkdir " + path);
}

void mkdir_all(const std::string& path, mode_t mode) {
  for (size_t pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1))
    sys::mkdir(path.substr(0, pos), mode, true);
  sys::mkdir(path, mode, true);
}

void rmdir(const std::string& path) {
  if (::rmdir(path.c_str()) < 0) throw_errno("rmdir " + path);
}

void unlink(const std::string& path) {
  if (::unlink(path.c_str()) < 0) throw_errno("unlink " + path);
}

UniqueFd openat2(int dirfd, const std::string& path, int flags, mode_t mode, uint64_t resolve) {
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = resolve;
  long fd = retry_eintr([&] { return ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how); });
  if (fd < 0) throw_errno("openat2 " + path);
  return UniqueFd(static_cast<int>(fd));
}

void mkdirat(int dirfd, const std::string& path, mode_t mode, bool exist_ok) {
  if (::mkdirat(dirfd, path.c_str(), mode) < 0 && !(exist_ok && errno == EEXIST)) throw_errno("mkdirat " + path);
}

void mknodat(int dirfd, const std::string& path, mode_t mode, dev_t dev) {
  if (::mknodat(dirfd, path.c_str(), mode, dev) < 0) throw_errno("mknodat " + path);
}

void symlinkat(const std::string& target, int dirfd, const std::string& linkpath) {
  if (::symlinkat(target.c_str(), dirfd, linkpath.c_str()) < 0) throw_errno("symlinkat " + linkpath + " -> " + target);
}

void linkat(int olddirfd, const std::string& oldpath, int newdirfd, const std::string& newpath) {
  if (::linkat(olddirfd, oldpath.c_str(), newdirfd, newpath.c_str(), 0) < 0)
    throw_errno("linkat " + newpath + " to " + oldpath);
}

void lchownat(int dirfd, const std::string& path, uid_t uid, gid_t gid) {
  if (::fchownat(dirfd, path.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("fchownat " + path);
}

void renameat(int olddirfd, const std::string& oldpath, int newdirfd, const std::string& newpath) {
  if (::renameat(olddirfd, oldpath.c_str(), newdirfd, newpath.c_str()) < 0)
    throw_errno("renameat " + oldpath + " to " + newpath);
}

void unlinkat(int dirfd, const std::string& path, int flags) {
  if (::unlinkat(dirfd, path.c_str(), flags) < 0) throw_errno("unlinkat " + path);
}

void fchmod(int fd, mode_t mode, const std::string& what) {
  if (::fchmod(fd, mode) < 0) throw_errno("fchmod " + what);
}

void futimens(int fd, const struct timespec times[2], const std::string& what) {
  if (::futimens(fd, times) < 0) throw_errno("futimens " + what);
}

void utimensat_nofollow(int dirfd, const std::string& path, const struct timespec times[2]) {
  if (::utimensat(dirfd, path.c_str(), times, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("utimensat " + path);
}

void lsetxattr(const std::string& path, const std::string& name, std::string_view value) {
  if (::lsetxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0) < 0)
    throw_errno("lsetxattr " + name + " on " + path);
}

std::optional<std::string> lgetxattr(const std::string& path, const std::string& name) {
  char value[4096];
  ssize_t n = ::lgetxattr(path.c_str(), name.c_str(), value, sizeof value);
  if (n < 0) {
    if (errno == ENODATA) return std::nullopt;
    throw_errno("lgetxattr " + name + " on " + path);
  }
  return std::string(value, static_cast<size_t>(n));
}

void rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) < 0) throw_errno("rename " + from + " to " + to);
}

void fsync(int fd) {
  if (retry_eintr([&] { return ::fsync(fd); }) < 0) throw_errno("fsync");
}

bool try_lock_exclusive(int fd) {
  if (retry_eintr([&] { return ::flock(fd, LOCK_EX | LOCK_NB); }) == 0) return true;
  if (errno == EWOULDBLOCK) return false;
  throw_errno("flock");
}

void lock_exclusive(int fd) {
  if (retry_eintr([&] { return ::flock(fd, LOCK_EX); }) < 0) throw_errno("flock");
}

uint64_t process_start_time(pid_t pid) {
  std::string stat;
  try {
    stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  } catch (const Error&) {
    return 0;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
  size_t pos = stat.rfind(')');
  if (pos == std::string::npos || pos + 2 >= stat.size()) return 0;
  // A zombie (Z) or dying (X) process has ended; only its parent's wait(2) is missing, and an
  // adopted monitor's new parent may take its time to reap it.
  char state = stat[pos + 2];
  if (state == 'Z' || state == 'X') return 0;
  std::istringstream fields(stat.substr(pos + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i)
    if (i == 22) return std::stoull(field);
  return 0;
}

std::string random_hex(size_t bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : getrandom(bytes)) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 15];
  }
  return hex;
}

std::string getrandom(size_t length) {
  std::string bytes(length, '\0');
  size_t done = 0;
  while (done < length) {
    ssize_t n = retry_eintr([&] { return ::getrandom(bytes.data() + done, length - done, 0); });
    if (n < 0) throw_errno("getrandom");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

uint64_t total_memory() {
  struct sysinfo info {};
  if (::sysinfo(&info) < 0) throw_errno("sysinfo");
  return static_cast<uint64_t>(info.totalram) * info.mem_unit;
}

void mknod(const std::string& path, mode_t mode, dev_t dev) {
  if (::mknod(path.c_str(), mode, dev) < 0) throw_errno("mknod " + path);
}

void symlink(const std::string& target, const std::string& linkpath) {
  if (::symlink(target.c_str(), linkpath.c_str()) < 0)
    throw_errno("symlink " + linkpath + " -> " + target);
}

std::string readlink(const std::string& path) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n < 0) throw_errno("readlink " + path);
  return std::string(buf, static_cast<size_t>(n));
}

void chmod(const std::string& path, mode_t mode) {
  if (::chmod(path.c_str(), mode) < 0) throw_errno("chmod " + path);
}

void chdir(const std::string& path) {
  if (::chdir(path.c_str()) < 0) throw_errno("chdir " + path);
}

void chroot(const std::string& path) {
  if (::chroot(path.c_str()) < 0) throw_errno("chroot " + path);
}

void mount(const std::string& source, const std::string& target, const std::string& type,
           unsigned long flags, const std::string& data) {
  auto opt = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
  if (::mount(opt(source), target.c_str(), opt(type), flags, opt(data)) < 0)
    throw_errno("mount " + (source.empty() ? type : source) + " on " + target +
                (type.empty() ? "" : " (type " + type + ")"));
}

void umount2(const std::string& target, int flags) {
  if (::umount2(target.c_str(), flags) < 0) throw_errno("umount " + target);
}

void pivot_root(const std::string& new_root, const std::string& put_old) {
  // glibc has no wrapper for pivot_root(2).
  if (::syscall(SYS_pivot_root, new_root.c_str(), put_old.c_str()) < 0)
    throw_errno("pivot_root " + new_root + " (old root to " + put_old + ")");
}

UniqueFd open_tree_clone(const std::string& path, bool recursive) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  int fd = ::open_tree(AT_FDCWD, path.c_str(), flags);
  if (fd < 0) throw_errno("open_tree " + path);
  return UniqueFd(fd);
}

void mount_setattr(int tree_fd, const std::string& what, uint64_t attr_set, bool recursive) {
  struct mount_attr attr {};
  attr.attr_set = attr_set;
  unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  if (::mount_setattr(tree_fd, "", flags, &attr, sizeof attr) < 0) throw_errno("mount_setattr " + what);
}

void move_mount(int tree_fd, const std::string& target) {
  if (::move_mount(tree_fd, "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) < 0)
    throw_errno("move_mount onto " + target);
}

void sethostname(std::string_view name) {
  if (::sethostname(name.data(), name.size()) < 0) throw_errno("sethostname " + quoted(name));
}

std::string gethostname() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) < 0) throw_errno("gethostname");
  return buf;
}

void unshare(int flags) {
  if (::unshare(flags) < 0) throw_errno("unshare flags " + std::to_string(flags));
}

void setns(int fd, int nstype) {
  if (::setns(fd, nstype) < 0) throw_errno("setns fd " + std::to_string(fd));
}

void set_ids(uid_t uid, gid_t gid) {
  if (::setgroups(0, nullptr) < 0) throw_errno("setgroups");
  if (::setresgid(gid, gid, gid) < 0) throw_errno("setresgid " + std::to_string(gid));
  if (::setresuid(uid, uid, uid) < 0) throw_errno("setresuid " + std::to_string(uid));
}

bool kill(pid_t pid, int sig) {
  if (::kill(pid, sig) == 0) return true;
  if (errno == ESRCH) return false;
  throw_errno("kill pid " + std::to_string(pid) + " with signal " + std::to_string(sig));
}

void setpgid(pid_t pid, pid_t pgid) {
  if (::setpgid(pid, pgid) < 0) throw_errno("setpgid " + std::to_string(pid));
}

UniqueFd pidfd_open(pid_t pid) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) throw_errno("pidfd_open " + std::to_string(pid));
  return UniqueFd(fd);
}

void set_parent_death_signal(int sig) {
  if (::prctl(PR_SET_PDEATHSIG, sig) < 0) throw_errno("prctl PR_SET_PDEATHSIG");
}

pid_t clone3(uint64_t flags) {
  clone_args args{};
  args.flags = flags;
  args.exit_signal = SIGCHLD;
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && errno == ENOSYS) {
    if (flags & CLONE_NEWTIME) throw Error(ENOSYS, "clone3 with CLONE_NEWTIME (needs Linux 5.8)");
    // clone(2) with a NULL stack behaves like fork(2): the child runs on a copy of our stack.
    pid = ::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, 0);
  }
  if (pid < 0) throw_errno("clone3 flags " + std::to_string(flags));
  return static_cast<pid_t>(pid);
}

}  // namespace boxlab::sys
