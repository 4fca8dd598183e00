/*
 * probe: the checker's eyes inside a container (after youki's tests/contest/runtimetest).
 *
 * A small static C program with no dependencies, so it runs in any rootfs (busybox has no
 * libc.so the host's binaries could use). The checker copies it into the container's rootfs, or
 * runs it from the host's filesystem when the lab does not change the root, and reads ONE JSON
 * object from its stdout describing what the process sees. Parsing a shell's output would be
 * fragile; this is deterministic (directory listings are sorted, strings escaped).
 *
 * Modes (argv[1]):
 *   (none)                 everything below: ids, /proc/1/exe, namespaces, maps, cgroup, capabilities,
 *                          seccomp, mounts, fds, interfaces, routes, root entries, /dev
 *   sleep N                print the default JSON, then sleep N seconds (the host inspects it)
 *   signal                 install a SIGTERM handler, print "ready", exit 42 on SIGTERM
 *   chroot-escape MARKER   try the classic chroot breakout; {"escaped", "root_entries"}
 *   stat PATH...           {"paths": [{path, exists, type, major, minor, size, entries}]}
 *   open-write PATH...     {"paths": [{path, ok, errno, error}]}: open(O_WRONLY), no write
 *   cgroup                 {"proc_self_cgroup", "files": {path: text or null}}: the limits the
 *                          container sees in its /sys/fs/cgroup (v1 and v2 file names)
 *   fork-bomb MAX          fork children that wait, until fork fails or MAX; {"forked", "errno"}
 *   memory-hog MB          allocate and touch MB MiB, 1 MiB at a time; {"allocated_mb"}
 *   cpu-hog SECONDS        print "spinning", spin for SECONDS of wall time; {"wall_s", "cpu_s"}
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* ---- JSON output ------------------------------------------------------------------------- */

static int first_in_scope = 1;

static void separator(void) {
  if (!first_in_scope) fputc(',', stdout);
  first_in_scope = 0;
}

static void json_string(const char *s) {
  fputc('"', stdout);
  for (const unsigned char *p = (const unsigned char *)s; *p; ++p) {
    switch (*p) {
      case '"': fputs("\\\"", stdout); break;
      case '\\': fputs("\\\\", stdout); break;
      case '\n': fputs("\\n", stdout); break;
      case '\t': fputs("\\t", stdout); break;
      case '\r': fputs("\\r", stdout); break;
      default:
        if (*p < 0x20 || *p >= 0x7f) printf("\\u%04x", *p);  /* bytes, not UTF-8: keep ASCII */
        else fputc(*p, stdout);
    }
  }
  fputc('"', stdout);
}

static void key(const char *name) {
  separator();
  json_string(name);
  fputc(':', stdout);
}

static void open_scope(char c) {
  fputc(c, stdout);
  first_in_scope = 1;
}

static void close_scope(char c) {
  fputc(c, stdout);
  first_in_scope = 0;
}

static void field_string(const char *name, const char *value) {
  key(name);
  if (value) json_string(value);
  else fputs("null", stdout);
}

static void field_long(const char *name, long value) {
  key(name);
  printf("%ld", value);
}

static void field_bool(const char *name, int value) {
  key(name);
  fputs(value ? "true" : "false", stdout);
}

static void item_string(const char *value) {
  separator();
  json_string(value);
}

/* ---- reading the system ----------------------------------------------------------------- */

/* Read a whole (small, /proc) file into a malloc'ed string; NULL when unreadable. */
static char *read_text(const char *path) {
  FILE *f = fopen(path, "re");
  if (!f) return NULL;
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (cap - len - 1 == 0) {
      cap *= 2;
      buf = realloc(buf, cap);
    }
  }
  fclose(f);
  if (buf) buf[len] = '\0';
  return buf;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entries of a directory (without . and ..); *count set; NULL if it cannot be opened. */
static char **list_dir(const char *path, size_t *count) {
  DIR *d = opendir(path);
  *count = 0;
  if (!d) return NULL;
  size_t cap = 64;
  char **names = malloc(cap * sizeof *names);
  struct dirent *e;
  while (names && (e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (*count == cap) {
      cap *= 2;
      names = realloc(names, cap * sizeof *names);
      if (!names) break;
    }
    names[(*count)++] = strdup(e->d_name);
  }
  closedir(d);
  if (names) qsort(names, *count, sizeof *names, compare_names);
  return names;
}

static void free_list(char **names, size_t count) {
  for (size_t i = 0; i < count; ++i) free(names[i]);
  free(names);
}

/* The value after "Name:" in /proc/self/status, trimmed; NULL if absent. Static buffer. */
static const char *status_field(const char *status, const char *name) {
  static char value[128];
  size_t n = strlen(name);
  for (const char *line = status; line && *line;) {
    if (!strncmp(line, name, n) && line[n] == ':') {
      const char *v = line + n + 1;
      while (*v == ' ' || *v == '\t') ++v;
      size_t len = strcspn(v, "\n");
      if (len >= sizeof value) len = sizeof value - 1;
      memcpy(value, v, len);
      value[len] = '\0';
      return value;
    }
    line = strchr(line, '\n');
    if (line) ++line;
  }
  return NULL;
}

/* ---- the default report ------------------------------------------------------------------ */

static void report_ids(void) {
  char host[256] = "";
  if (gethostname(host, sizeof host - 1) == 0) field_string("hostname", host);
  else field_string("hostname", NULL);
  field_long("pid", getpid());
  field_long("ppid", getppid());
  field_long("uid", getuid());
  field_long("gid", getgid());
  field_long("euid", geteuid());
  char cwd[4096];
  field_string("cwd", getcwd(cwd, sizeof cwd) ? cwd : NULL);
  /* Whose /proc is this? In the container's own, PID 1 is the probe itself. */
  char exe[4096];
  ssize_t n = readlink("/proc/1/exe", exe, sizeof exe - 1);
  if (n >= 0) exe[n] = '\0';
  field_string("proc1_exe", n >= 0 ? exe : NULL);
}

static void report_namespaces(void) {
  static const char *kinds[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};
  key("namespaces");
  open_scope('{');
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; ++i) {
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/self/ns/%s", kinds[i]);
    key(kinds[i]);
    if (stat(path, &st) == 0) printf("%lu", (unsigned long)st.st_ino);
    else fputs("null", stdout);
  }
  close_scope('}');
}

static void field_file(const char *name, const char *path) {
  char *text = read_text(path);
  field_string(name, text);
  free(text);
}

static void report_status(void) {
  char *status = read_text("/proc/self/status");
  key("capabilities");
  open_scope('{');
  field_string("effective", status ? status_field(status, "CapEff") : NULL);
  field_string("permitted", status ? status_field(status, "CapPrm") : NULL);
  field_string("bounding", status ? status_field(status, "CapBnd") : NULL);
  close_scope('}');
  const char *seccomp = status ? status_field(status, "Seccomp") : NULL;
  const char *nnp = status ? status_field(status, "NoNewPrivs") : NULL;
  field_long("seccomp", seccomp ? atol(seccomp) : -1);
  field_long("no_new_privs", nnp ? atol(nnp) : -1);
  free(status);
}

/* /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER" */
static void report_mount_line(char *line) {
  char *fields[64];
  size_t n = 0;
  for (char *tok = strtok(line, " "); tok && n < 64; tok = strtok(NULL, " ")) fields[n++] = tok;
  size_t dash = 6;
  while (dash < n && strcmp(fields[dash], "-") != 0) ++dash;
  if (n < 7 || dash + 1 >= n) return;  /* no "- TYPE": not a mountinfo line */
  separator();
  open_scope('{');
  field_string("root", fields[3]);
  field_string("mount_point", fields[4]);
  field_string("options", fields[5]);
  field_string("fstype", dash + 1 < n ? fields[dash + 1] : NULL);
  field_string("source", dash + 2 < n ? fields[dash + 2] : NULL);
  field_string("super_options", dash + 3 < n ? fields[dash + 3] : NULL);
  close_scope('}');
}

static void report_mounts(void) {
  key("mounts");
  char *text = read_text("/proc/self/mountinfo");
  if (!text) {
    fputs("null", stdout);
    return;
  }
  open_scope('[');
  for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
    report_mount_line(line);
  close_scope(']');
  free(text);
}

static void report_fds(void) {
  key("fds");
  DIR *d = opendir("/proc/self/fd");
  if (!d) {
    fputs("null", stdout);
    return;
  }
  int own = dirfd(d);
  long fds[1024];
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < 1024) {
    if (e->d_name[0] == '.') continue;
    long fd = atol(e->d_name);
    if (fd != own) fds[n++] = fd;
  }
  closedir(d);
  for (size_t i = 1; i < n; ++i)  /* insertion sort: a handful of numbers */
    for (size_t j = i; j > 0 && fds[j - 1] > fds[j]; --j) {
      long t = fds[j];
      fds[j] = fds[j - 1];
      fds[j - 1] = t;
    }
  open_scope('[');
  for (size_t i = 0; i < n; ++i) {
    separator();
    printf("%ld", fds[i]);
  }
  close_scope(']');
}

/* The environment the runtime gave the process (image Env merged with -e). */
extern char **environ;
static void report_env(void) {
  key("env");
  open_scope('[');
  for (char **e = environ; *e; ++e) item_string(*e);
  close_scope(']');
}

/* /proc/net/dev follows the reader's network namespace (/sys/class/net follows sysfs's). */
static void report_interfaces(void) {
  key("interfaces");
  char *text = read_text("/proc/net/dev");
  if (!text) {
    fputs("null", stdout);
    return;
  }
  open_scope('[');
  for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *colon = strchr(line, ':');
    if (!colon || strchr(line, '|')) continue;  /* the two header lines have '|' */
    *colon = '\0';
    while (*line == ' ') ++line;
    item_string(line);
  }
  close_scope(']');
  free(text);
}

static void report_routes(void) {
  key("routes");
  char *text = read_text("/proc/net/route");
  if (!text) {
    fputs("null", stdout);
    return;
  }
  open_scope('[');
  int header = 1;
  for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    if (header) {
      header = 0;
      continue;
    }
    item_string(line);
  }
  close_scope(']');
  free(text);
}

static void report_names(const char *name, const char *dir) {
  key(name);
  size_t count;
  char **names = list_dir(dir, &count);
  if (!names) {
    fputs("null", stdout);
    return;
  }
  open_scope('[');
  for (size_t i = 0; i < count; ++i) item_string(names[i]);
  close_scope(']');
  free_list(names, count);
}

static const char *type_of(mode_t mode) {
  if (S_ISREG(mode)) return "file";
  if (S_ISDIR(mode)) return "dir";
  if (S_ISLNK(mode)) return "symlink";
  if (S_ISCHR(mode)) return "char";
  if (S_ISBLK(mode)) return "block";
  if (S_ISFIFO(mode)) return "fifo";
  if (S_ISSOCK(mode)) return "socket";
  return "other";
}

/* One {path, exists, type, major, minor, size, entries} object, lstat'ed (symlinks as such). */
static void report_stat(const char *path) {
  struct stat st;
  separator();
  open_scope('{');
  field_string("path", path);
  int ok = lstat(path, &st) == 0;
  int err = errno;
  field_bool("exists", ok);
  if (ok) {
    field_string("type", type_of(st.st_mode));
    field_long("major", (long)major(st.st_rdev));
    field_long("minor", (long)minor(st.st_rdev));
    field_long("size", (long)st.st_size);
    if (S_ISDIR(st.st_mode)) {
      size_t count;
      char **names = list_dir(path, &count);
      field_long("entries", names ? (long)count : -1);
      free_list(names, count);
    }
  } else {
    field_long("errno", err);
  }
  close_scope('}');
}

static void report_dev(void) {
  key("dev");
  size_t count;
  char **names = list_dir("/dev", &count);
  if (!names) {
    fputs("null", stdout);
    return;
  }
  open_scope('[');
  for (size_t i = 0; i < count; ++i) {
    char path[512];
    snprintf(path, sizeof path, "/dev/%s", names[i]);
    report_stat(path);
  }
  close_scope(']');
  free_list(names, count);
}

static void report_all(void) {
  open_scope('{');
  report_ids();
  report_namespaces();
  field_file("uid_map", "/proc/self/uid_map");
  field_file("gid_map", "/proc/self/gid_map");
  field_file("cgroup", "/proc/self/cgroup");
  report_status();
  report_mounts();
  report_fds();
  report_env();
  report_interfaces();
  report_routes();
  report_names("root_entries", "/");
  report_dev();
  close_scope('}');
  fputc('\n', stdout);
  fflush(stdout);
}

/* ---- the other modes ----------------------------------------------------------------------- */

static volatile sig_atomic_t got_term = 0;

static void on_term(int sig) {
  (void)sig;
  got_term = 1;
}

/* PID 1 of a PID namespace only receives signals it handles, so this handler is the point. */
static int mode_signal(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  puts("ready");
  fflush(stdout);
  for (int i = 0; i < 600 && !got_term; ++i) sleep(1);  /* sleep returns early on a signal */
  return got_term ? 42 : 1;
}

/* The classic breakout: chroot into a subdirectory (the cwd stays outside it), then walk up. */
static int mode_chroot_escape(const char *marker) {
  mkdir("probe-escape-dir", 0700);
  int tried = chroot("probe-escape-dir") == 0;
  for (int i = 0; i < 256; ++i)
    if (chdir("..") != 0) break;
  if (tried) tried = chroot(".") == 0;
  open_scope('{');
  field_bool("chroot_worked", tried);
  field_bool("escaped", marker && access(marker, F_OK) == 0);
  report_names("root_entries", "/");
  close_scope('}');
  fputc('\n', stdout);
  return 0;
}

static int mode_paths(int argc, char **argv, void (*report)(const char *)) {
  open_scope('{');
  key("paths");
  open_scope('[');
  for (int i = 2; i < argc; ++i) report(argv[i]);
  close_scope(']');
  close_scope('}');
  fputc('\n', stdout);
  return 0;
}

static void report_open_write(const char *path) {
  separator();
  open_scope('{');
  field_string("path", path);
  int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
  int err = errno;
  field_bool("ok", fd >= 0);
  field_long("errno", fd >= 0 ? 0 : err);
  field_string("error", fd >= 0 ? NULL : strerror(err));
  if (fd >= 0) close(fd);
  close_scope('}');
}

/* ---- lab 04: cgroups seen from inside ----------------------------------------------------- */

/* The limit files of both cgroup versions: inside its cgroup namespace the container's own
 * cgroup is the root of /sys/fs/cgroup, so its limits are at the top (v2) or at the top of
 * each hierarchy (v1). Whichever version the host runs, the other's paths read as null. */
static int mode_cgroup(void) {
  static const char *files[] = {
      "/sys/fs/cgroup/memory.max",           "/sys/fs/cgroup/pids.max",
      "/sys/fs/cgroup/cpu.max",              "/sys/fs/cgroup/memory/memory.limit_in_bytes",
      "/sys/fs/cgroup/pids/pids.max",        "/sys/fs/cgroup/cpu/cpu.cfs_quota_us",
      "/sys/fs/cgroup/cpu/cpu.cfs_period_us"};
  open_scope('{');
  field_file("proc_self_cgroup", "/proc/self/cgroup");
  key("files");
  open_scope('{');
  for (size_t i = 0; i < sizeof files / sizeof *files; ++i) field_file(files[i], files[i]);
  close_scope('}');
  close_scope('}');
  fputc('\n', stdout);
  return 0;
}

/* Fork children that only wait, until the kernel refuses (pids.max reached: EAGAIN). */
static int mode_fork_bomb(long max) {
  pid_t *children = calloc((size_t)max, sizeof *children);
  long forked = 0;
  int err = 0;
  while (forked < max) {
    pid_t pid = fork();
    if (pid < 0) {
      err = errno;
      break;
    }
    if (pid == 0) {
      pause();
      _exit(0);
    }
    children[forked++] = pid;
  }
  for (long i = 0; i < forked; ++i) kill(children[i], SIGKILL);
  for (long i = 0; i < forked; ++i) waitpid(children[i], NULL, 0);
  open_scope('{');
  field_long("forked", forked);
  field_long("errno", err);
  field_string("error", err ? strerror(err) : NULL);
  close_scope('}');
  fputc('\n', stdout);
  free(children);
  return 0;
}

/* Touch every page, so the memory is really used (malloc alone only reserves addresses). */
static int mode_memory_hog(long megabytes) {
  long done = 0;
  for (; done < megabytes; ++done) {
    char *chunk = malloc(1 << 20);
    if (!chunk) break;
    memset(chunk, 0x5a, 1 << 20);
  }
  open_scope('{');
  field_long("allocated_mb", done);
  close_scope('}');
  fputc('\n', stdout);
  return 0;
}

static double seconds(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Spin: the CPU time we get over the wall time that passed is the share the cgroup allows. */
static int mode_cpu_hog(long wall_seconds) {
  puts("spinning");
  fflush(stdout);
  double start = seconds(CLOCK_MONOTONIC), cpu_start = seconds(CLOCK_PROCESS_CPUTIME_ID);
  volatile unsigned long counter = 0;
  while (seconds(CLOCK_MONOTONIC) - start < (double)wall_seconds)
    for (int i = 0; i < 100000; ++i) ++counter;
  double wall = seconds(CLOCK_MONOTONIC) - start, cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
  printf("{\"wall_s\":%.3f,\"cpu_s\":%.3f}\n", wall, cpu);
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (!strcmp(mode, "signal")) return mode_signal();
  if (!strcmp(mode, "chroot-escape")) return mode_chroot_escape(argc > 2 ? argv[2] : NULL);
  if (!strcmp(mode, "stat")) return mode_paths(argc, argv, report_stat);
  if (!strcmp(mode, "open-write")) return mode_paths(argc, argv, report_open_write);
  long number = argc > 2 ? atol(argv[2]) : 0;
  if (!strcmp(mode, "cgroup")) return mode_cgroup();
  if (!strcmp(mode, "fork-bomb")) return mode_fork_bomb(number > 0 ? number : 1000);
  if (!strcmp(mode, "memory-hog")) return mode_memory_hog(number > 0 ? number : 256);
  if (!strcmp(mode, "cpu-hog")) return mode_cpu_hog(number > 0 ? number : 3);
  if (!strcmp(mode, "sleep")) {
    report_all();
    sleep(argc > 2 ? (unsigned)atoi(argv[2]) : 5);
    return 0;
  }
  if (*mode) {
    fprintf(stderr, "probe: unknown mode '%s'\n", mode);
    return 2;
  }
  report_all();
  return 0;
}
