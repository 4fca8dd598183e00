// Processes: reading the host's /proc to find a lab's children and what it left running.
#include "processes.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace checker {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string join_nul_separated(std::string text) {
  while (!text.empty() && text.back() == '\0') text.pop_back();
  for (char& c : text)
    if (c == '\0') c = ' ';
  return text;
}

}  // namespace

std::optional<ProcessInfo> parse_stat(const std::string& stat) {
  size_t open = stat.find('(');
  size_t close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  ProcessInfo p;
  std::istringstream head(stat.substr(0, open));
  std::istringstream tail(stat.substr(close + 1));
  if (!(head >> p.pid) || !(tail >> p.state >> p.ppid >> p.pgid)) return std::nullopt;
  p.comm = stat.substr(open + 1, close - open - 1);
  return p;
}

std::optional<ProcessInfo> read_process(pid_t pid) {
  std::string dir = "/proc/" + std::to_string(pid);
  auto p = parse_stat(read_text(dir + "/stat"));
  if (p) p->cmdline = join_nul_separated(read_text(dir + "/cmdline"));
  return p;
}

std::vector<ProcessInfo> list_processes() {
  std::vector<ProcessInfo> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (auto p = read_process(std::stoi(name))) out.push_back(*p);
  }
  return out;
}

std::vector<ProcessInfo> children_of(pid_t parent) {
  std::vector<ProcessInfo> out;
  for (auto& p : list_processes())
    if (p.ppid == parent) out.push_back(std::move(p));
  return out;
}

}  // namespace checker
