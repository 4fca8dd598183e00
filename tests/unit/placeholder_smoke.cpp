#include "catch.hpp"
#include "boxlab/sys/error.hpp"
TEST_CASE("Error carries errno and context", "[sys]") {
  boxlab::Error e(2, "open /nope");
  e.add_context("load config");
  CHECK(std::string(e.what()) == "load config: open /nope: No such file or directory");
  CHECK(e.errno_value() == 2);
  CHECK(e.exit_code() == 125);
}
