// linux.resources: the container's cgroup limits in config.json (runtime-spec config-linux.md).
//
// The OCI spelling is the kernel's rather than Docker's: --cpus 0.5 is a CFS quota of 50000 us
// per 100000 us period, --memory-swap is memory.swap (memory plus swap, as in Docker), and
// device limits name the device by major:minor. So a spec written by a lab reads back in runc.
//
// Interface: resources_to_json, resources_from_json
#include "resources_json.hpp"

#include <cmath>

namespace boxlab::container {

using nlohmann::json;

namespace {

constexpr uint64_t kCpuPeriodUs = 100000;

json rates_to_json(const std::vector<cgroup::DeviceRate>& rates) {
  json out = json::array();
  for (const auto& r : rates) out.push_back({{"major", r.major}, {"minor", r.minor}, {"rate", r.bytes_per_second}});
  return out;
}

std::vector<cgroup::DeviceRate> rates_from_json(const json& j) {
  std::vector<cgroup::DeviceRate> out;
  for (const auto& r : j)
    out.push_back({r.at("major").get<unsigned>(), r.at("minor").get<unsigned>(), r.at("rate").get<uint64_t>()});
  return out;
}

}  // namespace

json resources_to_json(const cgroup::Limits& l) {
  json memory = json::object(), cpu = json::object(), pids = json::object(), io = json::object();
  if (l.memory) memory["limit"] = *l.memory;
  if (l.memory_swap) memory["swap"] = *l.memory_swap;
  if (l.memory_reservation) memory["reservation"] = *l.memory_reservation;
  if (l.cpu_shares) cpu["shares"] = *l.cpu_shares;
  if (l.cpus) {
    cpu["quota"] = static_cast<int64_t>(std::llround(*l.cpus * kCpuPeriodUs));
    cpu["period"] = kCpuPeriodUs;
  }
  if (l.cpuset_cpus) cpu["cpus"] = *l.cpuset_cpus;
  if (l.pids) pids["limit"] = *l.pids;
  if (!l.device_read_bps.empty()) io["throttleReadBpsDevice"] = rates_to_json(l.device_read_bps);
  if (!l.device_write_bps.empty()) io["throttleWriteBpsDevice"] = rates_to_json(l.device_write_bps);
  json out = json::object();
  for (auto [name, part] : {std::pair{"memory", &memory}, {"cpu", &cpu}, {"pids", &pids}, {"blockIO", &io}})
    if (!part->empty()) out[name] = *part;
  return out;
}

cgroup::Limits resources_from_json(const json& j) {
  cgroup::Limits l;
  json memory = j.value("memory", json::object()), cpu = j.value("cpu", json::object());
  json pids = j.value("pids", json::object()), io = j.value("blockIO", json::object());
  if (memory.contains("limit")) l.memory = memory["limit"].get<int64_t>();
  if (memory.contains("swap")) l.memory_swap = memory["swap"].get<int64_t>();
  if (memory.contains("reservation")) l.memory_reservation = memory["reservation"].get<int64_t>();
  if (cpu.contains("shares")) l.cpu_shares = cpu["shares"].get<uint64_t>();
  if (cpu.contains("quota") && cpu["quota"].get<int64_t>() > 0)
    l.cpus = static_cast<double>(cpu["quota"].get<int64_t>()) / cpu.value("period", kCpuPeriodUs);
  if (cpu.contains("cpus")) l.cpuset_cpus = cpu["cpus"].get<std::string>();
  if (pids.contains("limit")) l.pids = pids["limit"].get<int64_t>();
  l.device_read_bps = rates_from_json(io.value("throttleReadBpsDevice", json::array()));
  l.device_write_bps = rates_from_json(io.value("throttleWriteBpsDevice", json::array()));
  return l;
}

}  // namespace boxlab::container
