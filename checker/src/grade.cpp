// Grading: build each student's submission, run the reference checks on it, leave nothing.
//
// A submission is the student's whole tree. Grading one takes three steps, each a subprocess
// in its own process group with a time limit, all writing into the submission's own workspace
// (a fresh directory with build/, root/ and tmp/):
//   1. configure: cmake -S SUBMISSION -B build -G Ninja -DBOXLAB_LABS=NN (tests, checker, docs
//      and slides off: only the lab is graded, and -Werror is off as in a handout);
//   2. build: the labNN target alone;
//   3. check: the reference checker, i.e. this very executable and never the submission's own
//      copy, as `checker labNN --all --bin build/labs/labNN --json results.json`, with
//      BOXLAB_ROOT=root/ and TMPDIR=tmp/, so every state root and temporary directory of the
//      checks is inside the workspace.
// The checker sweeps leaks after each check. The grader adds its own sweeps, of what the
// checker cannot see once it has exited: after each step, whatever is left in the step's process
// group (at once, while the group id cannot yet have been reused); after the submission,
// processes carrying the workspace's tag in their environment or running a binary from the
// workspace, with their descendants (SIGKILL), then mounts under the workspace (lazy unmount).
// Only when no mount is left there is the workspace removed: a recursive delete through a
// leftover bind mount would delete whatever it shows.
//
// Interface: grade
#include "grade.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/process.hpp"
#include "boxlab/sys/syscall.hpp"
#include "leaks.hpp"
#include "processes.hpp"

namespace checker {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using boxlab::Error;
using std::chrono::seconds;

constexpr seconds kConfigureLimit{300};
constexpr seconds kBuildLimit{900};
constexpr seconds kCheckLimit{1800};   // the checks have their own timeouts; this is a backstop
constexpr seconds kGraceAfterTerm{10};  // SIGTERM lets the checker sweep before SIGKILL
constexpr std::size_t kLogTailLines = 40;
constexpr const char* kTagVariable = "BOXLAB_GRADE_TAG";

// ---------------------------------------------------------------------------------------------
// Results.

/// One check's result for one student.
struct CheckResult {
  std::string name;    // "lab02/hostname"
  json passed;         // true, false, or null (skipped because its dependency failed)
  int points = 0;      // earned
  int max_points = 0;  // worth
  json cause;          // the checker's cause (expected, seen, hint), or null
};

/// One student's grade.
struct Grade {
  std::string student;
  bool build_ok = false;
  bool checker_ok = true;  // false when the checker itself failed: the grade needs a look
  int score = 0;
  int max = 0;
  std::string cause;                 // why the grade is what it is, when not from the checks
  std::vector<CheckResult> checks;
  std::string log;                   // the end of the build log or of the checker's output
  std::vector<std::string> cleanup;  // what the grader found left and removed
};

// ---------------------------------------------------------------------------------------------
// Small helpers.

std::string random_hex() {
  static std::mt19937_64 random{std::random_device{}()};
  return fmt::format("{:012x}", random() & 0xffffffffffffULL);
}

/// Letters, digits, '.', '-' and '_' of @p name; anything else becomes '_'.
std::string safe_name(const std::string& name) {
  std::string out = name;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  return out;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void append_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::app) << text;
}

/// The last @p count lines of the file at @p path.
std::string tail(const fs::path& path, std::size_t count) {
  std::vector<std::string> lines;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i)
    out += lines[i] + "\n";
  return out;
}

std::string command_line(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& arg : args) out += (out.empty() ? "" : " ") + arg;
  return out;
}

/// The caller's environment with @p overrides ("KEY=value") set.
std::vector<std::string> environment_with(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  for (const std::string& kv : boxlab::sys::current_environment()) {
    std::string key = kv.substr(0, kv.find('=') + 1);
    bool overridden = std::any_of(overrides.begin(), overrides.end(),
                                  [&](const std::string& o) { return o.rfind(key, 0) == 0; });
    if (!overridden) env.push_back(kv);
  }
  env.insert(env.end(), overrides.begin(), overrides.end());
  return env;
}

bool is_within(const fs::path& path, const fs::path& root) {
  auto mismatch = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return mismatch.first == root.end();
}

// ---------------------------------------------------------------------------------------------
// A submission's workspace, and the sweep that leaves nothing of it behind.

/// A fresh directory for one submission: build/, root/ (BOXLAB_ROOT), tmp/ (TMPDIR), logs.
/// Everything the submission's steps start carries `tag` in its environment unless it clears it.
class Workspace {
 public:
  explicit Workspace(const std::string& student);
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  /// A backstop for an exception between steps: sweep quietly. Never throws.
  ~Workspace();

  const fs::path& path() const noexcept { return path_; }
  fs::path build() const { return path_ / "build"; }
  fs::path root() const { return path_ / "root"; }
  fs::path tmp() const { return path_ / "tmp"; }
  const std::string& tag() const noexcept { return tag_; }
  /// Kill what is left in the process group @p pgid of a step whose leader has been reaped.
  void sweep_group(pid_t pgid, const std::string& step);
  /// Kill what is left, unmount what is mounted under the workspace, remove it; say what was
  /// found (with what sweep_group found). The workspace is kept, and says so, if a mount
  /// cannot be removed.
  std::vector<std::string> sweep();

 private:
  std::vector<ProcessInfo> leftover_processes() const;
  std::vector<std::string> mounts_under() const;
  fs::path path_;
  std::string tag_;
  std::vector<std::string> found_;
  bool swept_ = false;
};

Workspace::Workspace(const std::string& student) : tag_(random_hex()) {
  fs::path base = fs::temp_directory_path();
  do {
    path_ = base / ("boxlab-grade-" + safe_name(student) + "-" + random_hex());
  } while (!fs::create_directory(path_));
  // 0755: a check's unprivileged uid in a user namespace must reach the rootfs and probe.
  for (const fs::path& dir : {path_, root(), tmp()}) {
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms(0755));
  }
}

Workspace::~Workspace() {
  if (swept_) return;
  try {
    sweep();
  } catch (...) {
  }
}

pid_t own_pid() { return std::stoi(fs::read_symlink("/proc/self").string()); }

// /proc/PID/environ is "KEY=value\0KEY=value\0...".
bool has_tag(pid_t pid, const std::string& tag) {
  std::string environ = '\0' + read_text("/proc/" + std::to_string(pid) + "/environ");
  std::string wanted = '\0' + std::string(kTagVariable) + "=" + tag + '\0';
  return environ.find(wanted) != std::string::npos;
}

bool runs_binary_under(pid_t pid, const fs::path& dir) {
  std::error_code error;
  fs::path exe = fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", error);
  return !error && is_within(exe, dir);
}

void Workspace::sweep_group(pid_t pgid, const std::string& step) {
  for (const ProcessInfo& p : list_processes()) {
    if (p.pgid != pgid || p.state == 'Z') continue;
    found_.push_back(fmt::format("process {} ({}) left by {}", p.pid, p.comm, step));
    boxlab::sys::kill(p.pid, SIGKILL);
  }
}

// The processes of this submission: tagged or running one of its binaries, and every
// descendant of those (a container's processes are its runtime's children, with their own env).
std::vector<ProcessInfo> Workspace::leftover_processes() const {
  pid_t self = own_pid();
  std::vector<ProcessInfo> all = list_processes();
  std::set<pid_t> found;
  for (const ProcessInfo& p : all)
    if (p.pid != self && (has_tag(p.pid, tag_) || runs_binary_under(p.pid, path_))) found.insert(p.pid);
  for (bool grew = true; grew;) {
    grew = false;
    for (const ProcessInfo& p : all)
      if (p.pid != self && found.count(p.ppid) && found.insert(p.pid).second) grew = true;
  }
  std::vector<ProcessInfo> out;
  for (const ProcessInfo& p : all)
    if (found.count(p.pid) && p.state != 'Z') out.push_back(p);  // a zombie is already dead
  return out;
}

// Mount points under the workspace, last mounted first (so stacked mounts come off in order).
std::vector<std::string> Workspace::mounts_under() const {
  std::vector<std::string> out;
  std::istringstream mountinfo(read_text("/proc/self/mountinfo"));
  for (std::string line; std::getline(mountinfo, line);) {
    std::string point = mount_point_of(line);
    if (!point.empty() && is_within(point, path_)) out.push_back(point);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<std::string> Workspace::sweep() {
  swept_ = true;
  std::vector<std::string> found = std::exchange(found_, {});
  std::set<pid_t> reported;
  for (int round = 0; round < 50; ++round) {
    std::vector<ProcessInfo> left = leftover_processes();
    if (left.empty()) break;
    for (const ProcessInfo& p : left) {
      if (reported.insert(p.pid).second) found.push_back(fmt::format("process {} ({})", p.pid, p.comm));
      boxlab::sys::kill(p.pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (int round = 0; round < 10; ++round) {
    std::vector<std::string> mounts = mounts_under();
    if (mounts.empty()) break;
    for (const std::string& point : mounts) {
      if (round == 0) found.push_back("mount " + point);
      try {
        boxlab::sys::umount2(point, MNT_DETACH);
      } catch (const Error&) {  // already gone with its parent, or busy: the next round sees
      }
    }
  }
  if (!mounts_under().empty()) {
    found.push_back("kept " + path_.string() + ": mounts under it could not be removed");
    return found;
  }
  std::error_code error;
  fs::remove_all(path_, error);
  if (error) found.push_back("could not remove " + path_.string() + ": " + error.message());
  return found;
}

// ---------------------------------------------------------------------------------------------
// Running a step.

/// How a step ended.
struct StepResult {
  bool ok = false;         // exited 0
  bool timed_out = false;
  int code = 0;            // Docker's code: the exit code, or 128+N for signal N
};

// SIGTERM the group, give it a moment to clean up, then SIGKILL it; reap the leader.
void stop_group(boxlab::sys::Child& child) {
  child.kill(SIGTERM, true);
  if (child.wait_for(kGraceAfterTerm)) return;
  child.kill(SIGKILL, true);
  child.wait();
}

/// Run the step @p name, @p args, in its own process group with output appended to @p log, for
/// at most @p limit.
StepResult run_step(Workspace& workspace, const std::string& name, const std::vector<std::string>& args,
                    const std::vector<std::string>& env, const fs::path& log, seconds limit) {
  append_text(log, "$ " + command_line(args) + "\n");
  boxlab::sys::UniqueFd out = boxlab::sys::open(log.string(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  boxlab::sys::UniqueFd in = boxlab::sys::open("/dev/null", O_RDONLY);
  boxlab::sys::SpawnOptions options;
  options.args = args;
  options.env = env;
  options.new_process_group = true;
  options.stdin_fd = in.get();
  options.stdout_fd = out.get();
  options.stderr_fd = out.get();
  try {
    boxlab::sys::Child child = boxlab::sys::spawn(options);
    std::optional<boxlab::sys::ExitStatus> status = child.wait_for(limit);
    if (!status) stop_group(child);
    workspace.sweep_group(child.pid(), "the " + name + " step");
    if (status) return StepResult{status->docker_code() == 0, false, status->docker_code()};
    append_text(log, fmt::format("grade: stopped after the time limit of {} s\n", limit.count()));
    return StepResult{false, true, 137};
  } catch (const Error& e) {  // the command could not be started
    append_text(log, std::string("grade: ") + e.what() + "\n");
    return StepResult{false, false, e.exit_code()};
  }
}

// ---------------------------------------------------------------------------------------------
// Building and checking one submission.

std::string lab_id(int lab) { return fmt::format("lab{:02}", lab); }

/// Configure and build labNN of @p submission; on failure set the grade's cause and log.
bool build(const fs::path& submission, int lab, Workspace& workspace, Grade& grade) {
  fs::path log = workspace.path() / "build.log";
  std::vector<std::string> env = environment_with(
      {"TMPDIR=" + workspace.tmp().string(), std::string(kTagVariable) + "=" + workspace.tag()});
  std::vector<std::string> configure{
      "cmake", "-S", submission.string(), "-B", workspace.build().string(), "-G", "Ninja",
      fmt::format("-DBOXLAB_LABS={:02}", lab), "-DBOXLAB_TESTS=OFF", "-DBOXLAB_CHECKER=OFF",
      "-DBOXLAB_DOCS=OFF", "-DBOXLAB_SLIDES=OFF", "-DBOXLAB_WERROR=OFF"};
  std::vector<std::string> make{"cmake", "--build", workspace.build().string(), "--target", lab_id(lab)};
  StepResult step = run_step(workspace, "configure", configure, env, log, kConfigureLimit);
  if (step.ok) step = run_step(workspace, "build", make, env, log, kBuildLimit);
  if (step.ok && !fs::exists(workspace.build() / "labs" / lab_id(lab))) {
    append_text(log, "grade: the build did not make labs/" + lab_id(lab) + "\n");
    step.ok = false;
  }
  grade.build_ok = step.ok;
  if (!step.ok) {
    grade.cause = step.timed_out ? "build timed out" : "build failed";
    grade.log = tail(log, kLogTailLines);
  }
  return step.ok;
}

/// "lab02/hostname" for a result of lab 2 named "hostname".
std::string qualified_name(const json& entry) {
  std::string name = entry.value("name", std::string("?"));
  if (!entry.contains("lab") || !entry["lab"].is_number() || name.find('/') != std::string::npos) return name;
  return fmt::format("lab{:02}/{}", entry["lab"].get<int>(), name);
}

/// Read the checker's --json report: {"results": [...]} or a bare array of results.
std::vector<CheckResult> read_results(const fs::path& file) {
  json doc = json::parse(read_text(file));
  const json& results = doc.is_array() ? doc : doc.at("results");
  std::vector<CheckResult> out;
  for (const json& entry : results) {
    CheckResult check;
    check.name = qualified_name(entry);
    check.passed = entry.contains("passed") ? entry["passed"] : json(nullptr);
    check.max_points = entry.value("points", 1);
    check.points = check.passed == json(true) ? check.max_points : 0;
    check.cause = entry.contains("cause") ? entry["cause"] : json(nullptr);
    out.push_back(std::move(check));
  }
  return out;
}

/// Run the reference checker on the built lab and record its results in @p grade.
void check(const GradeOptions& options, Workspace& workspace, Grade& grade) {
  fs::path log = workspace.path() / "check.log";
  fs::path results = workspace.path() / "results.json";
  std::vector<std::string> args{options.checker_exe.string(), lab_id(options.lab), "--all",
                                "--bin", (workspace.build() / "labs" / lab_id(options.lab)).string(),
                                "--json", results.string()};
  std::vector<std::string> env = environment_with(
      {"BOXLAB_ROOT=" + workspace.root().string(), "TMPDIR=" + workspace.tmp().string(),
       std::string(kTagVariable) + "=" + workspace.tag(), "NO_COLOR=1"});
  StepResult step = run_step(workspace, "check", args, env, log, kCheckLimit);
  grade.log = tail(log, kLogTailLines);
  try {
    if (step.timed_out) throw Error(fmt::format("timed out after {} s", kCheckLimit.count()));
    if (step.code != 0 && step.code != 1) throw Error(fmt::format("exited with code {}", step.code));
    grade.checks = read_results(results);
  } catch (const std::exception& e) {  // Error, or the report is missing or not what we expect
    grade.checker_ok = false;
    grade.checks.clear();
    grade.cause = std::string("checker failed: ") + e.what();
  }
  for (const CheckResult& c : grade.checks) {
    grade.score += c.points;
    grade.max += c.max_points;
  }
}

Grade grade_one(const GradeOptions& options, const fs::path& submission) {
  Grade grade;
  grade.student = submission.filename().string();
  Workspace workspace(grade.student);
  if (build(submission, options.lab, workspace, grade)) check(options, workspace, grade);
  grade.cleanup = workspace.sweep();
  return grade;
}

// ---------------------------------------------------------------------------------------------
// Reporting.

std::vector<fs::path> submissions_in(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw Error("grade: " + dir.string() + " is not a directory of submissions");
  std::vector<fs::path> out;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir))
    if (entry.is_directory() && entry.path().filename().string().front() != '.') out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

int count_passed(const Grade& grade, const json& passed) {
  return static_cast<int>(std::count_if(grade.checks.begin(), grade.checks.end(),
                                        [&](const CheckResult& c) { return c.passed == passed; }));
}

std::string summary_line(const Grade& grade) {
  std::string line = fmt::format("{}: {}/{}", grade.student, grade.score, grade.max);
  if (!grade.cause.empty()) line += " (" + grade.cause + ")";
  else
    line += fmt::format(" ({} passed, {} failed, {} skipped)", count_passed(grade, true),
                        count_passed(grade, false), count_passed(grade, nullptr));
  if (!grade.cleanup.empty()) line += fmt::format("; cleaned up {} leftover(s)", grade.cleanup.size());
  return line;
}

// A submission that did not build ran no checks; its maximum is the lab's, known from the others.
void fill_missing_max(std::vector<Grade>& grades) {
  int max = 0;
  for (const Grade& g : grades) max = std::max(max, g.max);
  for (Grade& g : grades)
    if (g.checks.empty()) g.max = max;
}

/// Every check name, in the order the checker first reported them.
std::vector<std::string> check_names(const std::vector<Grade>& grades) {
  std::vector<std::string> names;
  for (const Grade& g : grades)
    for (const CheckResult& c : g.checks)
      if (std::find(names.begin(), names.end(), c.name) == names.end()) names.push_back(c.name);
  return names;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string status_word(const json& passed) {
  if (passed.is_null()) return "skip";
  return passed == json(true) ? "pass" : "fail";
}

std::string to_csv(const std::vector<Grade>& grades) {
  std::vector<std::string> names = check_names(grades);
  std::string out = "student,score,max";
  for (const std::string& name : names) out += "," + csv_field(name);
  out += "\n";
  for (const Grade& g : grades) {
    out += fmt::format("{},{},{}", csv_field(g.student), g.score, g.max);
    for (const std::string& name : names) {
      auto it = std::find_if(g.checks.begin(), g.checks.end(), [&](const CheckResult& c) { return c.name == name; });
      out += "," + (it == g.checks.end() ? std::string() : status_word(it->passed));
    }
    out += "\n";
  }
  return out;
}

std::string to_json(const std::vector<Grade>& grades) {
  json out = json::array();
  for (const Grade& g : grades) {
    json checks = json::array();
    for (const CheckResult& c : g.checks)
      checks.push_back({{"name", c.name}, {"passed", c.passed}, {"points", c.points},
                        {"max_points", c.max_points}, {"cause", c.cause}});
    out.push_back({{"student", g.student}, {"score", g.score}, {"max", g.max}, {"build_ok", g.build_ok},
                   {"cause", g.cause.empty() ? json(nullptr) : json(g.cause)}, {"checks", checks},
                   {"log", g.log}, {"cleanup", g.cleanup}});
  }
  return out.dump(2) + "\n";
}

// Write to a temporary file beside @p path, then rename: a reader never sees half a gradebook.
void write_gradebook(const fs::path& path, const std::vector<Grade>& grades) {
  std::string text = path.extension() == ".csv" ? to_csv(grades) : to_json(grades);
  fs::path partial = path.string() + ".tmp";
  std::ofstream file(partial, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) throw Error("grade: cannot write " + partial.string());
  fs::rename(partial, path);
}

void check_options(const GradeOptions& options) {
  std::string ext = options.out.extension().string();
  if (ext != ".csv" && ext != ".json")
    throw Error("grade: the gradebook " + options.out.string() + " must end in .csv or .json");
  if (!fs::exists(options.checker_exe)) throw Error("grade: no checker at " + options.checker_exe.string());
  if (options.lab < 0 || options.lab > 99) throw Error(fmt::format("grade: no lab {}", options.lab));
}

}  // namespace

int grade(const GradeOptions& options) {
  check_options(options);
  std::vector<fs::path> submissions = submissions_in(options.submissions);
  if (submissions.empty()) throw Error("grade: no submissions in " + options.submissions.string());
  std::vector<Grade> grades;
  for (const fs::path& submission : submissions) {
    grades.push_back(grade_one(options, submission));
    fmt::print("{}\n", summary_line(grades.back()));
    std::fflush(stdout);
  }
  fill_missing_max(grades);
  write_gradebook(options.out, grades);
  bool all_graded = std::all_of(grades.begin(), grades.end(), [](const Grade& g) { return g.checker_ok; });
  fmt::print("graded {} submission(s) for {}; gradebook: {}\n", grades.size(), lab_id(options.lab),
             options.out.string());
  return all_graded ? 0 : 1;
}

}  // namespace checker
