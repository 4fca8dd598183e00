// Catch2 2.x (Debian 12) and 3.x (Ubuntu 24.04) behind one include.
#pragma once
#include <string>
#ifdef BOXLAB_CATCH3
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif

namespace test {
/// The substring matcher: Contains in Catch2 2, ContainsSubstring in Catch2 3 (where Contains
/// matches an element of a range instead).
inline auto contains(const std::string& text) {
#ifdef BOXLAB_CATCH3
  return Catch::Matchers::ContainsSubstring(text);
#else
  return Catch::Matchers::Contains(text);
#endif
}
}  // namespace test
