/**
 * @file uts.hpp
 * @brief The UTS namespace's one piece of state: the hostname.
 */
#pragma once

#include <string_view>

namespace boxlab::ns {

/// The longest hostname the kernel accepts (HOST_NAME_MAX, see gethostname(2)).
inline constexpr size_t kMaxHostnameLength = 64;

/**
 * @brief Check a hostname before anything is created: not empty, at most 64 bytes, and made of
 * letters, digits, '-' and '.' as RFC 1123 allows. Throws boxlab::Error saying what is wrong.
 */
void validate_hostname(std::string_view hostname);

/// Set the hostname of the calling process's UTS namespace (sethostname(2)).
void set_hostname(std::string_view hostname);

}  // namespace boxlab::ns
