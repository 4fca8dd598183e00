// LabProcess: one run of the lab binary, in its own process group, with output in files.
#include "lab_process.hpp"

#include <fcntl.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace checker {

namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string shell_quote(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n'\"\\$`*?;&|<>()") == std::string::npos) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string LabRun::command_line() const { return shell_join(argv); }

std::string shell_join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + shell_quote(a);
  return out;
}

LabProcess::LabProcess(std::vector<std::string> argv, std::vector<std::string> env,
                       std::filesystem::path out_file, std::filesystem::path err_file)
    : argv_(std::move(argv)), out_file_(std::move(out_file)), err_file_(std::move(err_file)) {
  auto null = boxlab::sys::open("/dev/null", O_RDONLY);
  auto out = boxlab::sys::open(out_file_.string(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  auto err = boxlab::sys::open(err_file_.string(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  boxlab::sys::SpawnOptions options;
  options.args = argv_;
  options.env = std::move(env);
  options.new_process_group = true;
  options.stdin_fd = null.get();
  options.stdout_fd = out.get();
  options.stderr_fd = err.get();
  started_ = Clock::now();
  child_ = std::make_unique<boxlab::sys::Child>(boxlab::sys::spawn(options));
  pid_ = child_->pid();
}

LabProcess::~LabProcess() {
  if (child_ && !finished_) kill_group();
}

bool LabProcess::wait_until(Clock::time_point deadline) {
  if (finished_) return true;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() < 0) left = std::chrono::milliseconds(0);
  auto status = child_->wait_for(left);
  if (!status) return false;
  status_ = *status;
  finished_ = true;
  seconds_ = elapsed();
  return true;
}

void LabProcess::kill_group() noexcept {
  if (finished_ || !child_) return;
  try {
    boxlab::sys::kill(-pid_, SIGKILL);
    status_ = child_->wait();
  } catch (const std::exception&) {
    // The group is gone already; Child's destructor reaps what is left.
  }
  finished_ = true;
  seconds_ = elapsed();
}

void LabProcess::signal(int sig) const { boxlab::sys::kill(pid_, sig); }

std::string LabProcess::out() const { return read_all(out_file_); }

std::string LabProcess::err() const { return read_all(err_file_); }

LabRun LabProcess::result() const { return LabRun{argv_, status_, out(), err(), seconds_}; }

double LabProcess::elapsed() const {
  return std::chrono::duration<double>(Clock::now() - started_).count();
}

}  // namespace checker
