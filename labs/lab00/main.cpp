// lab00 doctor: is this machine ready for the course? One line per check; each failure says
// how to fix it. Exit 0 when every check passes, 1 otherwise.
#include <fmt/core.h>

#include <cstdlib>

#include "boxlab/container/doctor.hpp"
#include "cli.hpp"

int main(int argc, char** argv) {
  CLI::App app{"lab00: check that this machine can run the boxlab labs", "lab00"};
  app.require_subcommand(1);
  auto* doctor = app.add_subcommand("doctor", "Check the kernel features and files the labs need");
  std::string busybox = std::getenv("BOXLAB_BUSYBOX") ? std::getenv("BOXLAB_BUSYBOX") : BOXLAB_BUSYBOX_DIR;
  doctor->add_option("--busybox", busybox, "Directory of the busybox image (rootfs/ and oci/)")
      ->capture_default_str();
  labcli::parse(app, argc, argv);

  return labcli::guarded_main("lab00", [&] {
    int failed = 0;
    for (const auto& check : boxlab::container::run_doctor(busybox)) {
      fmt::print("{:<4} {:<14} {}\n", check.ok ? "ok" : "FAIL", check.name, check.detail);
      if (!check.ok) {
        fmt::print("     {:<14} fix: {}\n", "", check.fix);
        ++failed;
      }
    }
    fmt::print("{}\n", failed ? fmt::format("{} check(s) failed", failed) : std::string("ready"));
    return failed ? 1 : 0;
  });
}
