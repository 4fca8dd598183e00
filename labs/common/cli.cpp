#include "cli.hpp"

#include <unistd.h>

#include <fmt/core.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "boxlab/container/stats.hpp"
#include "boxlab/ns/namespace.hpp"
#include "boxlab/sys/error.hpp"

namespace labcli {

void print(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

std::map<std::string, std::string> parse_labels(const std::vector<std::string>& labels) {
  std::map<std::string, std::string> out;
  for (const auto& label : labels) {
    auto eq = label.find('=');
    out[label.substr(0, eq)] = eq == std::string::npos ? "" : label.substr(eq + 1);
  }
  return out;
}

int guarded_main(const std::string& name, const std::function<int()>& body) {
  try {
    return body();
  } catch (const boxlab::Error& e) {
    std::fflush(stdout);  // what was printed before the error comes before it in a pipe
    fmt::print(stderr, "{}: {}\n", name, e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: {}\n", name, e.what());
    return boxlab::kExitRuntimeError;
  }
}

void parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::exit(app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    std::exit(app.exit(e));
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    fmt::print(stderr, "{}: {} (see '{} --help')\n", app.get_name(), message, app.get_name());
    std::exit(boxlab::kExitRuntimeError);
  }
}

std::vector<std::string> command_of(CLI::App& run) {
  std::vector<std::string> command = run.remaining();
  if (command.empty()) {
    std::string name = run.get_parent()->get_name() + " " + run.get_name();
    fmt::print(stderr, "{}: \"{}\" requires a command to run (see '{} --help')\n",
               run.get_parent()->get_name(), name, name);
    std::exit(boxlab::kExitRuntimeError);
  }
  return command;
}

void require_root(const std::string& name, const std::string& why) {
  if (::geteuid() == 0) return;
  throw boxlab::Error("needs root: " + why + "; run it as root: sudo " + name + " ...");
}

void add_run_flags(CLI::App& run, RunFlags& flags) {
  run.set_help_flag("--help", "Print this help (-h is --hostname, as in docker run)");
  run.add_option("-h,--hostname", flags.hostname, "Container host name");
  run.add_option("--ns", flags.namespaces,
                 "Namespaces to create, comma-separated: cgroup,ipc,mnt,net,pid,time,user,uts")
      ->capture_default_str();
  run.add_option("-e,--env", flags.env, "Set an environment variable (KEY=value, or KEY to copy it)")
      ->allow_extra_args(false);
  run.add_option("-w,--workdir", flags.workdir, "Working directory inside the container");
  run.add_option("-u,--user", flags.user, "UID[:GID] to run the command as (numeric)");
  run.prefix_command();  // everything after the first word is the command's own
}

namespace {

std::pair<uint32_t, uint32_t> parse_user(const std::string& user) {
  try {
    size_t colon = user.find(':');
    size_t used = 0;
    unsigned long uid = std::stoul(user.substr(0, colon), &used);
    if (used != user.substr(0, colon).size()) throw std::invalid_argument(user);
    unsigned long gid = colon == std::string::npos ? uid : std::stoul(user.substr(colon + 1));
    return {static_cast<uint32_t>(uid), static_cast<uint32_t>(gid)};
  } catch (const std::exception&) {
    throw boxlab::Error("--user '" + user + "': expected a numeric UID[:GID]");
  }
}

}  // namespace

boxlab::container::Spec spec_from_flags(const RunFlags& flags) {
  auto spec = boxlab::container::default_spec(flags.command);
  spec.linux.namespaces.clear();
  for (auto kind : boxlab::ns::parse_kinds(flags.namespaces)) spec.linux.namespaces.push_back({kind, ""});
  if (spec.creates(boxlab::ns::Kind::user)) {
    // Like `dockerd --userns-remap`: root inside is an unprivileged uid outside.
    spec.linux.uid_mappings = {{0, 100000, 65536}};
    spec.linux.gid_mappings = {{0, 100000, 65536}};
  }
  spec.hostname = flags.hostname;
  for (std::string kv : flags.env) {
    if (kv.empty() || kv.front() == '=') throw boxlab::Error("-e '" + kv + "': expected KEY=value");
    if (kv.find('=') == std::string::npos) {  // `-e KEY` copies KEY from the caller, as Docker
      const char* value = std::getenv(kv.c_str());
      if (!value) continue;
      kv += "=" + std::string(value);
    }
    std::string key = kv.substr(0, kv.find('=') + 1);
    auto& env = spec.process.env;
    std::erase_if(env, [&](const std::string& e) { return e.rfind(key, 0) == 0; });
    env.push_back(kv);
  }
  spec.process.cwd = flags.workdir;
  std::tie(spec.process.uid, spec.process.gid) = parse_user(flags.user);
  return spec;
}

void print_namespaces(pid_t pid) {
  auto rows = boxlab::ns::compare(pid);  // first, so an unknown PID prints only the error
  fmt::print("{:<8} {:<12} {:<12} {}\n", "NS", "PID " + std::to_string(pid), "HOST", "SHARED");
  for (const auto& row : rows) {
    auto show = [](ino_t ino) { return ino ? std::to_string(ino) : std::string("-"); };
    fmt::print("{:<8} {:<12} {:<12} {}\n", boxlab::ns::name(row.kind), show(row.process),
               show(row.other), row.shared() ? "yes" : "no");
  }
}

void add_rootfs_flags(CLI::App& run, RootfsFlags& flags) {
  run.add_option("--rootfs", flags.rootfs, "Directory to use as the container's root filesystem");
  run.add_flag("--read-only", flags.read_only, "Mount the root filesystem read-only");
}

void apply_rootfs_flags(boxlab::container::Spec& spec, const RootfsFlags& flags) {
  if (flags.rootfs.empty()) return;
  if (!spec.creates(boxlab::ns::Kind::mnt)) throw boxlab::Error("--rootfs needs the mnt namespace (--ns ...,mnt)");
  spec.root = {flags.rootfs, flags.read_only};
  boxlab::container::add_rootfs_defaults(spec);
}

namespace {
volatile std::sig_atomic_t interrupted = 0;
}  // namespace

int show_stats(const std::string& containers_dir, const std::vector<std::string>& ids, bool no_stream) {
  using namespace std::chrono_literals;
  bool tty = isatty(STDOUT_FILENO);
  std::signal(SIGINT, [](int) { interrupted = 1; });
  do {
    std::string table = boxlab::container::format_stats(boxlab::container::sample_stats(containers_dir, ids, 1000ms));
    if (tty && !no_stream) std::fputs("\033[2J\033[H", stdout);  // clear the screen, as docker stats
    std::fputs(table.c_str(), stdout);
    std::fflush(stdout);
  } while (!no_stream && !interrupted);
  return 0;
}

}  // namespace labcli
