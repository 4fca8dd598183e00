// The OCI runtime spec: reading and writing config.json.
//
// runtime-spec's config.md defines one JSON document that says everything a runtime needs:
// the process, the root filesystem, mounts, namespaces. boxlab speaks a subset of it, so the
// same Spec can come from a lab's flags, from an image (lab 07), or from a bundle that podman
// hands to lab 14. Unknown fields are ignored when reading, as the spec asks runtimes to do.
//
// Interface: Spec::creates, default_spec, add_rootfs_defaults, add_cgroup_defaults, to_json, from_json
#include "boxlab/container/spec.hpp"

#include <nlohmann/json.hpp>

#include "boxlab/fs/masked_paths.hpp"
#include "boxlab/sys/error.hpp"
#include "resources_json.hpp"

namespace boxlab::container {

using nlohmann::json;

namespace {

json mount_to_json(const fs::Mount& m) {
  return {{"destination", m.destination}, {"type", m.type}, {"source", m.source}, {"options", m.options}};
}

fs::Mount mount_from_json(const json& j) {
  fs::Mount m;
  m.destination = j.at("destination").get<std::string>();
  m.type = j.value("type", "");
  m.source = j.value("source", "");
  m.options = j.value("options", std::vector<std::string>{});
  return m;
}

json mappings_to_json(const std::vector<ns::IdMapping>& maps) {
  json out = json::array();
  for (const auto& m : maps)
    out.push_back({{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}});
  return out;
}

std::vector<ns::IdMapping> mappings_from_json(const json& j) {
  std::vector<ns::IdMapping> out;
  for (const auto& m : j)
    out.push_back({m.at("containerID").get<uint32_t>(), m.at("hostID").get<uint32_t>(),
                   m.at("size").get<uint32_t>()});
  return out;
}

}  // namespace

bool Spec::creates(ns::Kind kind) const {
  for (const auto& n : linux.namespaces)
    if (n.kind == kind && n.path.empty()) return true;
  return false;
}

Spec default_spec(std::vector<std::string> args) {
  Spec spec;
  spec.process.args = std::move(args);
  spec.process.env = {kDefaultPath, "TERM=xterm"};
  for (ns::Kind kind : {ns::Kind::pid, ns::Kind::net, ns::Kind::ipc, ns::Kind::uts, ns::Kind::mnt,
                        ns::Kind::cgroup})
    spec.linux.namespaces.push_back({kind, ""});
  return spec;
}

void add_rootfs_defaults(Spec& spec) {
  // The same list, in the same order, as `runc spec` and Docker's default spec.
  spec.mounts = {
      {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"/dev/pts", "devpts", "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
  };
  spec.linux.masked_paths = fs::docker_masked_paths();
  spec.linux.readonly_paths = fs::docker_readonly_paths();
}

void add_cgroup_defaults(Spec& spec, const std::string& id, const cgroup::Limits& limits) {
  spec.linux.cgroups_path = id;
  spec.linux.resources = limits;
  if (!spec.root.path.empty())
    spec.mounts.push_back({"/sys/fs/cgroup", "cgroup", "cgroup", {"ro", "nosuid", "noexec", "nodev"}});
}

std::string to_json(const Spec& spec) {
  json namespaces = json::array();
  for (const auto& n : spec.linux.namespaces) {
    json entry{{"type", std::string(ns::oci_name(n.kind))}};
    if (!n.path.empty()) entry["path"] = n.path;
    namespaces.push_back(entry);
  }
  json mounts = json::array();
  for (const auto& m : spec.mounts) mounts.push_back(mount_to_json(m));
  json j{
      {"ociVersion", spec.oci_version},
      {"process",
       {{"terminal", spec.process.terminal},
        {"user", {{"uid", spec.process.uid}, {"gid", spec.process.gid}}},
        {"args", spec.process.args},
        {"env", spec.process.env},
        {"cwd", spec.process.cwd},
        {"noNewPrivileges", spec.process.no_new_privileges}}},
      {"root", {{"path", spec.root.path}, {"readonly", spec.root.readonly}}},
      {"hostname", spec.hostname},
      {"mounts", mounts},
      {"annotations", spec.annotations},
      {"linux",
       {{"namespaces", namespaces},
        {"uidMappings", mappings_to_json(spec.linux.uid_mappings)},
        {"gidMappings", mappings_to_json(spec.linux.gid_mappings)},
        {"maskedPaths", spec.linux.masked_paths},
        {"readonlyPaths", spec.linux.readonly_paths},
        {"cgroupsPath", spec.linux.cgroups_path},
        {"resources", resources_to_json(spec.linux.resources)}}},
  };
  if (spec.process.capabilities) {
    const auto& caps = *spec.process.capabilities;
    j["process"]["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"inheritable", caps}};
  }
  return j.dump(2);
}

Spec from_json(const std::string& text) {
  try {
    json j = json::parse(text);
    Spec spec;
    spec.oci_version = j.at("ociVersion").get<std::string>();
    const json& p = j.at("process");
    spec.process.terminal = p.value("terminal", false);
    if (p.contains("user")) {
      spec.process.uid = p["user"].value("uid", 0u);
      spec.process.gid = p["user"].value("gid", 0u);
    }
    spec.process.args = p.at("args").get<std::vector<std::string>>();
    spec.process.env = p.value("env", std::vector<std::string>{});
    spec.process.cwd = p.value("cwd", "/");
    spec.process.no_new_privileges = p.value("noNewPrivileges", false);
    if (p.contains("capabilities") && p["capabilities"].contains("bounding"))
      spec.process.capabilities = p["capabilities"]["bounding"].get<std::vector<std::string>>();
    if (j.contains("root")) {
      spec.root.path = j["root"].at("path").get<std::string>();
      spec.root.readonly = j["root"].value("readonly", false);
    }
    spec.hostname = j.value("hostname", "");
    for (const auto& m : j.value("mounts", json::array())) spec.mounts.push_back(mount_from_json(m));
    spec.annotations = j.value("annotations", std::map<std::string, std::string>{});
    if (j.contains("linux")) {
      const json& l = j["linux"];
      for (const auto& n : l.value("namespaces", json::array()))
        spec.linux.namespaces.push_back({ns::parse_kind(n.at("type").get<std::string>()), n.value("path", "")});
      spec.linux.uid_mappings = mappings_from_json(l.value("uidMappings", json::array()));
      spec.linux.gid_mappings = mappings_from_json(l.value("gidMappings", json::array()));
      spec.linux.masked_paths = l.value("maskedPaths", std::vector<std::string>{});
      spec.linux.readonly_paths = l.value("readonlyPaths", std::vector<std::string>{});
      spec.linux.cgroups_path = l.value("cgroupsPath", "");
      spec.linux.resources = resources_from_json(l.value("resources", json::object()));
    }
    return spec;
  } catch (const json::exception& e) {
    throw Error(std::string("config.json: ") + e.what());
  }
}

}  // namespace boxlab::container
