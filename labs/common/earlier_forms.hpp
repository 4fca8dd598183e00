// Lab N does everything lab N-1 did. Lab 07's `run` takes an image, as docker's does; the
// earlier labs' forms of the container commands still work, through lab 06's wiring:
//   run on the host (`run /bin/echo hi`), on a directory (`--rootfs DIR`) or on layers
//   (`--layer DIR`), with lab 02's `--ns` or lab 05's `--keep`; `diff` and `rm` of a kept
//   layer; `ns PID`.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace labcli {

/// True when argv (argv[0] is the lab) is one of the earlier forms above. @p app is the newer
/// lab's, already set up, so that its own options are recognised.
bool is_earlier_form(CLI::App& app, int argc, char** argv);

/// Lab 06's whole command line: lab 05's run, diff, rm, stats and ns, and the image commands.
int layers_and_images_main(const std::string& lab, int argc, char** argv);

}  // namespace labcli
