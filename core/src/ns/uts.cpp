// UTS namespace: the hostname a container sees.
//
// "UTS" is the struct utsname that uname(2) fills in. A new UTS namespace starts with a copy of
// the parent's hostname; sethostname(2) inside changes only the copy (uts_namespaces(7)).
//
// Interface: validate_hostname, set_hostname
#include "boxlab/ns/uts.hpp"

#include <cctype>
#include <string>

#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::ns {

void validate_hostname(std::string_view hostname) {
  // LAB 02 BEGIN: refuse an empty hostname, one over 64 bytes, or one with other characters
  std::string shown(hostname.substr(0, 20));
  if (hostname.size() > 20) shown += "...";
  if (hostname.empty()) throw Error("hostname is empty");
  if (hostname.size() > kMaxHostnameLength)
    throw Error("hostname '" + shown + "' is " + std::to_string(hostname.size()) +
                " bytes; the kernel allows at most 64 (HOST_NAME_MAX)");
  for (char c : hostname)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.')
      throw Error("hostname '" + shown + "' may contain only letters, digits, '-' and '.'");
  // LAB 02 END
}

void set_hostname(std::string_view hostname) {
  // LAB 02 BEGIN: set the hostname; in a new UTS namespace only the container sees it
  sys::sethostname(hostname);
  // LAB 02 END
}

}  // namespace boxlab::ns
