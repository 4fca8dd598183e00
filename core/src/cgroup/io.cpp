// The io controller (blkio in v1): bandwidth limits per block device, named by its
// major:minor numbers. v2 writes all of a device's limits on one line of io.max; v1 has one
// file per direction (Documentation/admin-guide/cgroup-v1/blkio-controller.rst).
//
// Interface: io::apply_v2 apply_v1
#include <map>
#include <utility>

#include "backend.hpp"

namespace boxlab::cgroup::io {
namespace {

std::string device(const DeviceRate& d) { return std::to_string(d.major) + ":" + std::to_string(d.minor); }

}  // namespace

void apply_v2(const std::string& dir, const Limits& l) {
  // LAB 04 BEGIN: write one io.max line per device: "MAJ:MIN rbps=N wbps=M"
  std::map<std::pair<unsigned, unsigned>, std::string> lines;
  for (const auto& d : l.device_read_bps) lines[{d.major, d.minor}] += " rbps=" + std::to_string(d.bytes_per_second);
  for (const auto& d : l.device_write_bps) lines[{d.major, d.minor}] += " wbps=" + std::to_string(d.bytes_per_second);
  for (const auto& [dev, limits] : lines)
    write_value(dir, "io.max", std::to_string(dev.first) + ":" + std::to_string(dev.second) + limits);
  // LAB 04 END
}

void apply_v1(const std::string& dir, const Limits& l) {
  // LAB 04 BEGIN: write blkio.throttle.{read,write}_bps_device: "MAJ:MIN BYTES" per device
  for (const auto& d : l.device_read_bps)
    write_value(dir, "blkio.throttle.read_bps_device", device(d) + " " + std::to_string(d.bytes_per_second));
  for (const auto& d : l.device_write_bps)
    write_value(dir, "blkio.throttle.write_bps_device", device(d) + " " + std::to_string(d.bytes_per_second));
  // LAB 04 END
}

}  // namespace boxlab::cgroup::io
