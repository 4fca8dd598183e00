// The monitor: one process per running container, after podman's conmon.
//
// Someone has to hold a container's output pipes, reap its first process and write down how it
// ended, after the command that started it has returned (`run -d`). That is the monitor. Its
// steps, each a function below:
//   1. mount the root filesystem: the image's layers under the container's writable layer,
//      kept across restarts and removed only by `rm`; at the first start, copy the image's
//      files into the container's new volumes (Docker's copy-up);
//   2. start the spec (run.hpp) with stdout and stderr on pipes, and pump the pipes into the
//      json-file log (and the terminal, for a foreground run) from a thread started only after
//      the clone, since no thread may be alive across clone(2) (ARCHITECTURE.md);
//   3. record "running" with the PID and its start time, then "exited" with the exit code,
//      OOM kill and finish time;
//   4. ask the restart policy; wait the back-off (100 ms, doubled each time, at most a minute,
//      reset after 10 s of running, as Docker's restartmanager) and go to 2.
// `stop` and `kill` leave a stop-request file first, so a policy never restarts what a person
// stopped.
//
// Interface: monitor_container, start_monitor, stop_request_path
#include "boxlab/container/monitor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include "boxlab/container/container_volumes.hpp"
#include "boxlab/container/log_file.hpp"
#include "boxlab/container/run.hpp"
#include "boxlab/fs/overlay.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"
#include "boxlab/sys/terminal.hpp"
#include "boxlab/sys/text.hpp"

namespace boxlab::container {

namespace {

using namespace std::chrono_literals;

// Step 1: the kept writable layer (created at the first start) and the overlay on it.
struct RootFilesystem {
  fs::ContainerLayer layer;
  fs::OverlayMount overlay;
};

RootFilesystem mount_root(const Container& c, const MonitorPaths& paths) {
  bool first = !sys::exists(paths.overlays + "/" + c.config.id + "/kept");
  fs::ContainerLayer layer = first ? fs::ContainerLayer::create(paths.overlays, c.config.id, c.config.layers, true)
                                   : fs::ContainerLayer::reopen(paths.overlays, c.config.id);
  fs::OverlayMount overlay = fs::OverlayMount::mount(layer.dirs(), layer.merged());
  if (first) copy_up_volumes(c.config, layer.merged());
  return {std::move(layer), std::move(overlay)};
}

// Step 2's pump: both pipes into the log until both reach end of file.
void pump_output(int out, int err, LogWriter& log, const MonitorIo& io) {
  pollfd fds[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
  const char* streams[2] = {"stdout", "stderr"};
  int echo[2] = {io.stdout_fd, io.stderr_fd};
  int open = 2;
  char buffer[16384];
  while (open > 0) {
    try {
      sys::poll(fds, 2, -1);
    } catch (const Error&) {
      return;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      size_t n = 0;
      try {
        n = sys::read(fds[i].fd, buffer, sizeof buffer);
      } catch (const Error&) {  // a read error ends the stream like end of file
      }
      if (n == 0) {
        log.flush(streams[i]);
        fds[i].fd = -1;
        --open;
        continue;
      }
      std::string_view chunk(buffer, n);
      log.write(streams[i], chunk);
      if (echo[i] >= 0) {
        try {
          sys::write_all(echo[i], chunk);
        } catch (const Error&) {
          echo[i] = -1;  // the terminal went away; the log still gets everything
        }
      }
    }
  }
}

// Once: whoever waits reads one message and closes its end, so a second write (at a restart)
// would raise SIGPIPE and kill the monitor.
void report_ready(MonitorIo& io, const std::string& message) {
  if (io.ready_fd < 0) return;
  try {
    sys::write_all(io.ready_fd, message);
  } catch (const Error&) {
  }
  io.ready_fd = -1;
}

// Steps 2 and 3: one run of the container, recorded; returns its exit code.
int run_once(const ContainerStore& store, Container& c, const MonitorPaths& paths, MonitorIo& io,
             LogWriter& log) {
  auto out = sys::pipe2();
  auto err = sys::pipe2();
  RunOptions options;
  options.containers_dir = paths.records;
  options.id = c.config.id;
  sys::UniqueFd null_input;
  if (io.stdin_fd < 0) null_input = sys::open("/dev/null", O_RDONLY);
  options.stdin_fd = io.stdin_fd >= 0 ? io.stdin_fd : null_input.get();
  options.stdout_fd = out.write_end.get();
  options.stderr_fd = err.write_end.get();
  // With a terminal the container's stdio is a pty's slave; the relay copies the pty's output
  // into the stdout pipe, so the pump logs it like any output (one stream: a tty merges them).
  std::optional<sys::PtyPair> pty;
  bool terminal = c.config.spec.process.terminal;
  if (terminal) {
    pty = sys::open_pty();
    options.stdin_fd = options.stdout_fd = options.stderr_fd = pty->slave.get();
    options.terminal = sys::TerminalRelay{pty->master.get(), io.stdin_fd, out.write_end.get(), io.size_source};
  }
  std::optional<std::thread> pump;
  // The network needs the container's namespace and must be there before its command runs.
  write_network_files(c.config.network, c.dir, c.config.spec.hostname);
  std::unique_ptr<ContainerNetwork> network;
  options.before_start = [&](pid_t pid) {
    network = ContainerNetwork::connect(c.config.network, paths.network, c.config.id, c.config.name, c.dir, pid);
    c.state.endpoint = network->endpoint();
  };
  options.on_started = [&](pid_t pid) {
    if (terminal) {
      pty->slave.reset();  // the container holds it; the master reads EIO once it is done
      err.write_end.reset();
    } else {
      out.write_end.reset();  // the container holds its own copies: EOF comes when it is done
      err.write_end.reset();
    }
    c.state.status = "running";
    c.state.pid = pid;
    c.state.pid_start_time = sys::process_start_time(pid);
    c.state.started_at = sys::now_rfc3339(true);
    c.state.finished_at.clear();
    c.state.error.clear();
    store.save_state(c.config.id, c.state);
    report_ready(io, "\n");
    pump.emplace([&] { pump_output(out.read_end.get(), err.read_end.get(), log, io); });
  };
  RunResult result;
  try {
    result = run(c.config.spec, options);
  } catch (...) {
    out.write_end.reset();
    err.write_end.reset();
    if (pump) pump->join();
    throw;
  }
  out.write_end.reset();  // with a terminal, the relay wrote into it until now
  if (pump) pump->join();
  network.reset();  // its address, port rules and hosts lines go with the run
  c.state.endpoint = {};
  c.state.status = "exited";
  c.state.pid = 0;
  c.state.exit_code = result.docker_code();
  c.state.oom_killed = result.oom_killed;
  c.state.finished_at = sys::now_rfc3339(true);
  c.state.stopped_by_user = sys::exists(stop_request_path(c));
  store.save_state(c.config.id, c.state);
  return c.state.exit_code;
}

// --rm: the record, the log, the writable layer and the anonymous volumes go once the container
// has ended for good (docker run --rm removes anonymous volumes too, named ones stay).
void remove_after_end(const ContainerStore& store, const Container& c, const MonitorPaths& paths) {
  try {
    fs::remove_container_layer(paths.overlays, c.config.id);
    store.remove(c.config.id);
    if (!paths.volumes.empty()) remove_anonymous_volumes(store, VolumeStore(paths.volumes), c.config);
  } catch (const Error&) {  // rm (or the next command's sweep) finishes what is left
  }
}

}  // namespace

std::string stop_request_path(const Container& container) { return container.dir + "/stop-requested"; }

int monitor_container(const ContainerStore& store, const std::string& id, const MonitorPaths& paths,
                      const MonitorIo& given_io) {
  MonitorIo io = given_io;
  Container c = store.find(id);
  std::error_code ignored;
  std::filesystem::remove(stop_request_path(c), ignored);
  c.state.monitor_pid = ::getpid();
  c.state.monitor_start_time = sys::process_start_time(c.state.monitor_pid);
  c.state.stopped_by_user = false;
  LogWriter log(store.log_path(id));
  auto backoff = 100ms;
  for (bool first = true;; first = false) {
    auto started = std::chrono::steady_clock::now();
    int code;
    try {
      RootFilesystem root = mount_root(c, paths);
      c.config.spec.root.path = root.layer.merged();
      code = run_once(store, c, paths, io, log);
    } catch (const Error& e) {
      c.state.status = first ? "created" : "exited";
      c.state.error = e.what();
      c.state.exit_code = e.exit_code();
      store.save_state(id, c.state);
      report_ready(io, e.what());
      if (first) throw;
      return c.state.exit_code;
    }
    if (!c.config.restart.should_restart(code, c.state.restart_count, c.state.stopped_by_user)) {
      if (c.config.auto_remove) {
        remove_after_end(store, c, paths);
      } else {
        // The root filesystem is unmounted by now: say the monitor is gone, so that a process
        // that monitored in the foreground (run without -d) can go on to rm the container.
        c.state.monitor_pid = 0;
        c.state.monitor_start_time = 0;
        store.save_state(id, c.state);
      }
      return code;
    }
    if (std::chrono::steady_clock::now() - started > 10s) backoff = 100ms;
    c.state.status = "restarting";
    store.save_state(id, c.state);
    std::this_thread::sleep_for(backoff);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, 60s);
    if (sys::exists(stop_request_path(c))) {  // stopped while waiting to restart
      c.state.status = "exited";
      c.state.stopped_by_user = true;
      store.save_state(id, c.state);
      return code;
    }
    ++c.state.restart_count;
  }
}

void start_monitor(const ContainerStore& store, const std::string& id, const MonitorPaths& paths) {
  auto ready = sys::pipe2();
  pid_t child = sys::clone3(0);
  if (child == 0) {
    // The first child: a new session (no controlling terminal), then the monitor itself is its
    // child, so it is not a session leader and can never acquire a terminal by accident; its
    // parent exits at once and init (or the nearest subreaper) adopts it.
    ready.read_end.reset();
    try {
      sys::setsid();
      if (sys::clone3(0) != 0) ::_exit(0);
      sys::UniqueFd null = sys::open("/dev/null", O_RDWR);
      for (int fd : {0, 1, 2}) sys::dup2(null.get(), fd);
      MonitorIo io;
      io.ready_fd = ready.write_end.get();
      int code = monitor_container(store, id, paths, io);
      ::_exit(code & 0xff);
    } catch (...) {
      ::_exit(125);
    }
  }
  ready.write_end.reset();
  sys::Child(child).wait();  // the first child exits at once
  // One read: the monitor writes its one message in one write(2) (atomic below PIPE_BUF) and
  // keeps the pipe open while it lives, so waiting for end of file would wait for the container.
  char buffer[1024];
  std::string message(buffer, sys::read(ready.read_end.get(), buffer, sizeof buffer));
  if (message == "\n") return;
  throw Error(message.empty() ? "the monitor of container " + id.substr(0, 12) + " ended before the container started"
                              : message);
}

}  // namespace boxlab::container
