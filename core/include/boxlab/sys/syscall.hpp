/**
 * @file syscall.hpp
 * @brief One thin wrapper per system call, named after it (after SerenityOS's LibCore/System).
 *
 * Each wrapper calls the kernel once (retrying only on EINTR where the call is restartable) and
 * throws boxlab::Error naming the call, its key arguments and the errno text on failure, e.g.
 * "mount proc on /proc (type proc): Operation not permitted". Raw system calls appear only in
 * core/src/sys; every other module goes through these.
 */
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <poll.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "boxlab/sys/unique_fd.hpp"

namespace boxlab::sys {

/// open(2). Always adds O_CLOEXEC.
UniqueFd open(const std::string& path, int flags, mode_t mode = 0);
/// openat(2). Always adds O_CLOEXEC.
UniqueFd openat(int dirfd, const std::string& path, int flags, mode_t mode = 0);
/// pipe2(2). Always adds O_CLOEXEC.
Pipe pipe2(int flags = 0);
/// dup2(2): make @p newfd a copy of @p oldfd.
void dup2(int oldfd, int newfd);
/// close_range(2) with CLOSE_RANGE_CLOEXEC: every fd >= @p first is closed at the next exec.
void close_range_cloexec(unsigned first);

/// read(2) once; returns the number of bytes read (0 at end of file).
size_t read(int fd, void* buf, size_t len);
/// write(2) until all of @p data is written.
void write_all(int fd, std::string_view data);
/// Read a whole file (e.g. from /proc) into a string.
std::string read_file(const std::string& path);
/// Write @p data to an existing file (e.g. /proc/PID/uid_map) with one write(2), as procfs wants.
void write_file(const std::string& path, std::string_view data);

/// poll(2), retried on EINTR; returns how many descriptors are ready (0: timed out).
int poll(struct pollfd* fds, unsigned long count, int timeout_ms);
/// setsid(2): a new session and process group led by the caller.
void setsid();
/// Replace @p path with @p data atomically: write a temporary file beside it (mode @p mode),
/// fsync it, rename(2) it over @p path and fsync the directory. Readers see the old file or the
/// new one, never half of one; a failure removes the temporary file.
void write_file_atomically(const std::string& path, std::string_view data, mode_t mode = 0644);
/// stat(2); follows symlinks.
struct stat stat(const std::string& path);
/// lstat(2); does not follow symlinks.
struct stat lstat(const std::string& path);
/// True if lstat(2) finds @p path (ENOENT/ENOTDIR mean false; other errors throw).
bool exists(const std::string& path);
/// statfs(2): the filesystem type magic (f_type) of the filesystem holding @p path, or 0 if
/// @p path does not exist.
long statfs_type(const std::string& path);
/// uname(2): the kernel release, e.g. "6.1.0-18-amd64".
std::string kernel_release();

/// openat2(2) (Linux 5.6): open @p path relative to @p dirfd with @p resolve restrictions,
/// e.g. RESOLVE_IN_ROOT so that "..", absolute paths and symlinks cannot leave @p dirfd.
UniqueFd openat2(int dirfd, const std::string& path, int flags, mode_t mode, uint64_t resolve);
/// mkdirat(2); with @p exist_ok an existing directory is fine.
void mkdirat(int dirfd, const std::string& path, mode_t mode, bool exist_ok = false);
/// mknodat(2).
void mknodat(int dirfd, const std::string& path, mode_t mode, dev_t dev);
/// symlinkat(2): create @p linkpath (relative to @p dirfd) pointing at @p target.
void symlinkat(const std::string& target, int dirfd, const std::string& linkpath);
/// linkat(2) with flags 0 (the source is not followed if it is a symlink).
void linkat(int olddirfd, const std::string& oldpath, int newdirfd, const std::string& newpath);
/// fchownat(2) with AT_SYMLINK_NOFOLLOW.
void lchownat(int dirfd, const std::string& path, uid_t uid, gid_t gid);
/// renameat(2).
void renameat(int olddirfd, const std::string& oldpath, int newdirfd, const std::string& newpath);
/// unlinkat(2); @p flags may be AT_REMOVEDIR.
void unlinkat(int dirfd, const std::string& path, int flags);
/// fchmod(2): set the mode of the open file @p fd (@p what names it in the error).
void fchmod(int fd, mode_t mode, const std::string& what);
/// futimens(2): set the access and modification times of the open file @p fd.
void futimens(int fd, const struct timespec times[2], const std::string& what);
/// utimensat(2) with AT_SYMLINK_NOFOLLOW: set the times of @p path itself (e.g. a symlink).
void utimensat_nofollow(int dirfd, const std::string& path, const struct timespec times[2]);
/// lsetxattr(2): set extended attribute @p name of @p path (not following a final symlink).
void lsetxattr(const std::string& path, const std::string& name, std::string_view value);
/// lgetxattr(2); returns nullopt when the attribute is not set (ENODATA).
std::optional<std::string> lgetxattr(const std::string& path, const std::string& name);
/// mkdir(2). With @p exist_ok, an existing directory is not an error.
void mkdir(const std::string& path, mode_t mode, bool exist_ok = false);
/// mkdir -p: create @p path and its missing parents.
void mkdir_all(const std::string& path, mode_t mode = 0755);
/// rmdir(2).
void rmdir(const std::string& path);
/// unlink(2).
void unlink(const std::string& path);
/// rename(2): atomically replace @p to with @p from (same file system).
void rename(const std::string& from, const std::string& to);
/// fsync(2): flush @p fd's data to disk before a rename makes it visible.
void fsync(int fd);
/// flock(2) with LOCK_EX|LOCK_NB: true if taken, false if another open file holds it.
bool try_lock_exclusive(int fd);
/// flock(2) with LOCK_EX: wait until no other open file holds the lock.
void lock_exclusive(int fd);
/// The start time of process @p pid in clock ticks since boot (/proc/PID/stat field 22,
/// proc(5)): with the PID it names a process uniquely, even after the PID is reused.
/// Returns 0 if the process does not exist or has ended (a zombie not yet reaped).
uint64_t process_start_time(pid_t pid);
/// getrandom(2): @p length random bytes from the kernel's pool.
std::string getrandom(size_t length);
/// @p bytes random bytes as lowercase hex (2 × @p bytes digits): Docker-style ids.
std::string random_hex(size_t bytes);
/// sysinfo(2): the machine's total RAM in bytes.
uint64_t total_memory();
/// mknod(2): create a device node.
void mknod(const std::string& path, mode_t mode, dev_t dev);
/// symlink(2): create @p linkpath pointing at @p target.
void symlink(const std::string& target, const std::string& linkpath);
/// readlink(2).
std::string readlink(const std::string& path);
/// chmod(2).
void chmod(const std::string& path, mode_t mode);
/// chdir(2).
void chdir(const std::string& path);
/// chroot(2). Taught in lab 03 as what pivot_root replaces.
void chroot(const std::string& path);

/// mount(2). @p source and @p type may be empty (passed as NULL).
void mount(const std::string& source, const std::string& target, const std::string& type,
           unsigned long flags, const std::string& data = {});
/// umount2(2).
void umount2(const std::string& target, int flags);
/// pivot_root(2): make @p new_root the root mount and put the old root at @p put_old.
void pivot_root(const std::string& new_root, const std::string& put_old);
/// open_tree(2) with OPEN_TREE_CLONE: a detached copy of the mount at @p path (its submounts
/// too when @p recursive), held by the returned fd and gone when the fd is closed unattached.
UniqueFd open_tree_clone(const std::string& path, bool recursive);
/// mount_setattr(2) on a detached tree: set the MOUNT_ATTR_* bits @p attr_set (recursively
/// when @p recursive). @p what names the tree in the error message.
void mount_setattr(int tree_fd, const std::string& what, uint64_t attr_set, bool recursive);
/// move_mount(2): attach the detached tree @p tree_fd at @p target.
void move_mount(int tree_fd, const std::string& target);

/// sethostname(2).
void sethostname(std::string_view name);
/// gethostname(2).
std::string gethostname();
/// unshare(2).
void unshare(int flags);
/// setns(2): join the namespace @p fd refers to.
void setns(int fd, int nstype);

/// setgroups(2) with no supplementary groups, then setresgid(2) and setresuid(2) to @p gid and
/// @p uid: the order matters, as a process that has given up uid 0 can no longer change groups.
void set_ids(uid_t uid, gid_t gid);

/// kill(2). Returns false when the process no longer exists (ESRCH).
bool kill(pid_t pid, int sig);
/// setpgid(2).
void setpgid(pid_t pid, pid_t pgid);
/// pidfd_open(2): a descriptor that becomes readable when @p pid exits.
UniqueFd pidfd_open(pid_t pid);
/// prctl(PR_SET_PDEATHSIG): the kernel sends @p sig to this process when its parent dies.
void set_parent_death_signal(int sig);

/**
 * @brief clone3(2) used like fork(2): returns 0 in the child and the child's PID in the parent.
 *
 * @p flags are CLONE_NEW* flags; the child gets SIGCHLD as its exit signal. Falls back to the
 * older clone(2) when the kernel has no clone3 (ENOSYS, Linux < 5.3); clone(2) cannot take
 * CLONE_NEWTIME (its bit is part of the exit-signal field), so that one needs clone3.
 */
pid_t clone3(uint64_t flags);

}  // namespace boxlab::sys
