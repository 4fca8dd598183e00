// Capabilities: root split into ~40 privileges (capabilities(7)).
//
// A process has five sets. Two matter for a container: the bounding set caps what the process
// and everything it execs can ever gain (so a setuid-root binary inside cannot get
// CAP_SYS_ADMIN back), and the permitted/effective sets say what it may do now. Dropping goes
// in that order: the bounding set first (PR_CAPBSET_DROP needs CAP_SETPCAP, which the drop may
// remove from the effective set), then the process's own sets. libcap does the bit twiddling.
//
// Interface: docker_default_capabilities, all_capabilities, normalise_capability,
//   drop_bounding_set, set_process_capabilities
#include "boxlab/security/capabilities.hpp"

#include <sys/capability.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "boxlab/sys/error.hpp"

namespace boxlab::security {

namespace {

std::vector<cap_value_t> values_of(const std::vector<std::string>& names) {
  std::vector<cap_value_t> values;
  for (const auto& name : names) {
    cap_value_t value;
    std::string lower = normalise_capability(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (cap_from_name(lower.c_str(), &value) != 0) throw Error("unknown capability: " + name);
    values.push_back(value);
  }
  return values;
}

}  // namespace

std::vector<std::string> docker_default_capabilities() {
  return {"CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",     "CAP_FOWNER",           "CAP_MKNOD",
          "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",     "CAP_SETFCAP",          "CAP_SETPCAP",
          "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};
}

std::vector<std::string> all_capabilities() {
  std::vector<std::string> names;
  for (cap_value_t value = 0; value <= cap_max_bits() - 1; ++value) {
    std::unique_ptr<char, decltype(&cap_free)> name(cap_to_name(value), cap_free);
    std::string upper = name ? name.get() : "";
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    names.push_back(upper);
  }
  return names;
}

std::string normalise_capability(const std::string& name) {
  std::string upper = name;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  if (!upper.starts_with("CAP_")) upper = "CAP_" + upper;
  auto known = all_capabilities();
  if (std::find(known.begin(), known.end(), upper) == known.end()) throw Error("unknown capability: " + name);
  return upper;
}

void drop_bounding_set(const std::vector<std::string>& keep) {
  std::vector<cap_value_t> kept = values_of(keep);
  for (cap_value_t value = 0; value < cap_max_bits(); ++value) {
    if (std::find(kept.begin(), kept.end(), value) != kept.end()) continue;
    if (CAP_IS_SUPPORTED(value) && cap_drop_bound(value) != 0)
      throw Error(errno, "drop capability " + std::to_string(value) + " from the bounding set");
  }
}

void set_process_capabilities(const std::vector<std::string>& keep) {
  std::vector<cap_value_t> kept = values_of(keep);
  std::unique_ptr<_cap_struct, decltype(&cap_free)> caps(cap_init(), cap_free);
  if (!caps) throw Error(errno, "cap_init");
  for (cap_flag_t flag : {CAP_PERMITTED, CAP_EFFECTIVE, CAP_INHERITABLE})
    if (!kept.empty() && cap_set_flag(caps.get(), flag, static_cast<int>(kept.size()), kept.data(), CAP_SET) != 0)
      throw Error(errno, "cap_set_flag");
  if (cap_set_proc(caps.get()) != 0) throw Error(errno, "cap_set_proc");
}

}  // namespace boxlab::security
