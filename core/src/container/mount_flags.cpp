// Mount flags: -v and --mount, the two ways `docker run` is told what to mount.
//
// -v is the old short form, split on ":" into at most three fields:
//
//   -v /srv/site:/www:ro     a bind mount: the source starts with "/" (or "." for the CLI)
//   -v data:/data            a named volume, created on first use
//   -v /data                 an anonymous volume (64 random hex digits), like an image's VOLUME
//
// the third field is a comma list of ro/rw, z/Z (SELinux labels, accepted and ignored here),
// nocopy and one propagation mode. --mount is the newer, explicit form: CSV of key=value fields
// (type=bind|volume|tmpfs, src, dst, readonly, bind-propagation, volume-nocopy, tmpfs-size, …)
// where nothing is guessed from the shape of a path. The two also differ on a missing bind
// source: -v creates the directory (an old behaviour Docker keeps), --mount refuses it.
//
// Both end as a MountRequest, checked the way Docker's daemon checks one (moby's
// volume/mounts/linux_parser.go), so a bad flag fails before anything is created. Resolving a
// request creates the volume it names and gives the OCI mount: binds and volumes are both
// "rbind" mounts of a host directory (a volume is just a directory the runtime owns), a tmpfs
// is a "tmpfs" mount with Docker's noexec,nosuid,nodev. Mounts are applied shallow first, so
// /data is mounted before /data/cache, as Docker sorts them.
//
// Interface: parse_volume_flag, parse_mount_flag, add_image_volumes, resolve_mounts,
//   resolve_mount, mount_points_json, mount_points_from_json
#include "boxlab/container/mount_flags.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include <fmt/format.h>

#include "boxlab/cgroup/limits.hpp"
#include "boxlab/sys/error.hpp"
#include "boxlab/sys/syscall.hpp"

namespace boxlab::container {

namespace {

using nlohmann::ordered_json;
namespace stdfs = std::filesystem;

// Which option groups a flag used: Docker refuses bind options on a volume, and so on.
struct OptionGroups {
  bool bind = false;
  bool volume = false;
  bool tmpfs = false;
};

const std::set<std::string>& propagation_modes() {
  static const std::set<std::string> modes{"private", "rprivate", "shared", "rshared", "slave", "rslave"};
  return modes;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  for (size_t start = 0;;) {
    size_t end = text.find(separator, start);
    out.push_back(text.substr(start, end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// path.Clean for an absolute path: no ".", "..", doubled or trailing slashes.
std::string clean(const std::string& path) {
  std::string out = stdfs::path(path).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string absolute(const std::string& path) { return clean(stdfs::absolute(path).string()); }

// The docker CLI makes a -v source starting with "." ("./site", "../x") absolute before the
// daemon sees it (--mount only "." and "./…").
std::string absolute_if_dotted(const std::string& source) { return source.starts_with('.') ? absolute(source) : source; }

// -v's third field: each option known, at most one of each kind (moby's linuxValidMountMode).
bool valid_mode(const std::string& mode) {
  if (mode.empty()) return true;
  std::map<std::string, int> kinds;
  for (const auto& option : split(mode, ',')) {
    if (option == "ro" || option == "rw") ++kinds["rw"];
    else if (option == "z" || option == "Z") ++kinds["label"];
    else if (propagation_modes().count(option)) ++kinds["propagation"];
    else if (option == "nocopy") ++kinds["copy"];
    else if (option == "consistent" || option == "cached" || option == "delegated") ++kinds["consistency"];
    else return false;
  }
  return std::all_of(kinds.begin(), kinds.end(), [](const auto& kind) { return kind.second == 1; });
}

// The daemon's checks of one mount (moby's validateMountConfigImpl); cleans the paths.
void validate(MountRequest& r, const OptionGroups& groups) {
  auto bad = [&](const std::string& why) { return Error("invalid mount config for type \"" + r.type + "\": " + why); };
  if (r.target.empty()) throw bad("field Target must not be empty");
  if (clean(r.target) == "/") throw bad("invalid specification: destination can't be '/'");
  if (!r.target.starts_with('/')) throw bad("invalid mount path: '" + r.target + "' mount path must be absolute");
  r.target = clean(r.target);
  if (r.type == "bind") {
    if (r.source.empty()) throw bad("field Source must not be empty");
    if (!r.propagation.empty() && !propagation_modes().count(r.propagation))
      throw bad("invalid propagation mode: " + r.propagation);
    if (groups.volume) throw bad("field VolumeOptions must not be specified");
    if (!r.source.starts_with('/')) throw bad("invalid mount path: '" + r.source + "' mount path must be absolute");
    r.source = clean(r.source);
  } else if (r.type == "volume") {
    if (groups.bind) throw bad("field BindOptions must not be specified");
    if (r.read_only && r.source.empty()) throw bad("must not set ReadOnly mode when using anonymous volumes");
  } else if (r.type == "tmpfs") {
    if (groups.bind) throw bad("field BindOptions must not be specified");
    if (!r.source.empty()) throw bad("field Source must not be specified");
  } else {
    throw bad("mount type unknown");
  }
}

// Go's strconv.ParseBool, which the docker CLI uses for readonly=… and volume-nocopy=….
bool parse_bool(const std::string& key, const std::string& value) {
  static const std::set<std::string> yes{"1", "t", "T", "TRUE", "true", "True"};
  static const std::set<std::string> no{"0", "f", "F", "FALSE", "false", "False"};
  if (yes.count(value)) return true;
  if (no.count(value)) return false;
  throw Error("invalid value for " + key + ": " + value);
}

uint64_t parse_tmpfs_size(const std::string& value) {
  int64_t bytes = -1;
  try {
    bytes = cgroup::parse_size(value, "tmpfs-size");
  } catch (const Error&) {
  }
  if (bytes < 0) throw Error("invalid value for tmpfs-size: " + value);
  return static_cast<uint64_t>(bytes);
}

uint32_t parse_tmpfs_mode(const std::string& value) {
  if (value.empty() || value.size() > 11 || value.find_first_not_of("01234567") != std::string::npos ||
      std::stoull(value, nullptr, 8) > UINT32_MAX)
    throw Error("invalid value for tmpfs-mode: " + value);
  return static_cast<uint32_t>(std::stoul(value, nullptr, 8));
}

// Go's encoding/csv for one line: fields split on ",", a field may be "quoted" ("" is a quote).
std::vector<std::string> csv_fields(const std::string& text) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted && c == '"' && i + 1 < text.size() && text[i + 1] == '"') fields.back() += text[++i];
    else if (c == '"' && (quoted || fields.back().empty())) quoted = !quoted;
    else if (c == ',' && !quoted) fields.emplace_back();
    else fields.back() += c;
  }
  if (quoted) throw Error("extraneous or missing \" in quoted-field");
  return fields;
}

// A --mount field without "=": a flag that means true.
void set_flag_field(MountRequest& r, OptionGroups& groups, const std::string& field) {
  std::string key = lower(field);
  if (key == "readonly" || key == "ro") r.read_only = true;
  else if (key == "volume-nocopy") r.no_copy = groups.volume = true;
  else if (key == "bind-nonrecursive") r.non_recursive = groups.bind = true;
  else throw Error("invalid field '" + field + "' must be a key=value pair");
}

// volume-label=KEY=VALUE (a KEY alone means an empty value).
void add_label(std::map<std::string, std::string>& labels, const std::string& value) {
  size_t eq = value.find('=');
  labels[value.substr(0, eq)] = eq == std::string::npos ? "" : value.substr(eq + 1);
}

// Only Docker's built-in "local" driver is there; a volume plugin would be looked up by name.
void check_driver(const std::string& driver) {
  if (driver != "local") throw Error("error looking up volume plugin " + driver + ": plugin \"" + driver + "\" not found");
}

// The --mount keys that belong to one type: bind-*, volume-*, tmpfs-*. False for others.
bool set_option_field(MountRequest& r, OptionGroups& groups, const std::string& key, const std::string& value) {
  if (key.starts_with("bind-")) groups.bind = true;
  if (key.starts_with("volume-")) groups.volume = true;
  if (key.starts_with("tmpfs-")) groups.tmpfs = true;
  if (key == "bind-propagation") r.propagation = lower(value);
  else if (key == "bind-nonrecursive") r.non_recursive = parse_bool(key, value);
  else if (key == "volume-nocopy") r.no_copy = parse_bool(key, value);
  else if (key == "volume-label") add_label(r.labels, value);
  else if (key == "tmpfs-size") r.tmpfs_size = parse_tmpfs_size(value);
  else if (key == "tmpfs-mode") r.tmpfs_mode = parse_tmpfs_mode(value);
  else if (key == "volume-driver") check_driver(value);
  else return false;
  return true;
}

void set_field(MountRequest& r, OptionGroups& groups, const std::string& field) {
  size_t eq = field.find('=');
  if (eq == std::string::npos) return set_flag_field(r, groups, field);
  std::string key = lower(field.substr(0, eq)), value = field.substr(eq + 1);
  if (key == "type") r.type = lower(value);
  else if (key == "source" || key == "src") r.source = value == "." || value.starts_with("./") ? absolute(value) : value;
  else if (key == "target" || key == "dst" || key == "destination") r.target = value;
  else if (key == "readonly" || key == "ro") r.read_only = parse_bool(key, value);
  else if (key == "consistency") return;  // for Docker Desktop's file sharing; nothing on Linux
  else if (!set_option_field(r, groups, key, value)) throw Error("unexpected key '" + key + "' in '" + field + "'");
}

// The docker CLI's checks after the fields (opts/mount.go).
void check_mount_fields(const MountRequest& r, const OptionGroups& groups) {
  if (r.type.empty()) throw Error("type is required");
  if (r.target.empty()) throw Error("target is required");
  if (groups.volume && r.type != "volume") throw Error("cannot mix 'volume-*' options with mount type '" + r.type + "'");
  if (groups.bind && r.type != "bind") throw Error("cannot mix 'bind-*' options with mount type '" + r.type + "'");
  if (groups.tmpfs && r.type != "tmpfs") throw Error("cannot mix 'tmpfs-*' options with mount type '" + r.type + "'");
}

std::vector<std::string> bind_options(const MountRequest& r) {
  std::vector<std::string> options{r.non_recursive ? "bind" : "rbind"};
  if (r.read_only) options.push_back("ro");
  options.push_back(r.propagation.empty() ? "rprivate" : r.propagation);
  return options;
}

// tmpfs-size as Docker writes it: the largest of g, m, k that divides it (ConvertTmpfsOptions).
std::string size_option(uint64_t bytes) {
  for (auto [suffix, unit] : {std::pair{"g", 1ULL << 30}, std::pair{"m", 1ULL << 20}, std::pair{"k", 1ULL << 10}})
    if (bytes % unit == 0) return "size=" + std::to_string(bytes / unit) + suffix;
  return "size=" + std::to_string(bytes);
}

ResolvedMount resolve_bind(const MountRequest& r) {
  // LAB 09 BEGIN: a missing source: created by -v (create_host_dir), refused by --mount; then an rbind mount
  std::error_code ec;
  if (!stdfs::exists(r.source, ec)) {
    if (!r.create_host_dir)
      throw Error("invalid mount config for type \"bind\": bind source path does not exist: " + r.source);
    sys::mkdir_all(r.source, 0755);
  }
  std::string propagation = r.propagation.empty() ? "rprivate" : r.propagation;
  return {{r.target, "bind", r.source, bind_options(r)},
          {"bind", "", r.source, r.target, "", r.mode, !r.read_only, propagation}};
  // LAB 09 END
}

ResolvedMount resolve_volume(const MountRequest& r, const VolumeStore& volumes) {
  // LAB 09 BEGIN: create (or find) the volume, then bind its _data directory like a host path
  Volume v = volumes.create(r.source, r.labels);
  return {{r.target, "bind", v.mountpoint, bind_options(r)},
          {"volume", v.name, v.mountpoint, r.target, v.driver, r.mode, !r.read_only, ""},
          !r.no_copy};
  // LAB 09 END
}

ResolvedMount resolve_tmpfs(const MountRequest& r) {
  std::vector<std::string> options{"noexec", "nosuid", "nodev", "rprivate"};  // Docker's defaults for a tmpfs
  if (r.read_only) options.push_back("ro");
  if (r.tmpfs_mode) options.push_back(fmt::format("mode={:o}", r.tmpfs_mode));
  if (r.tmpfs_size) options.push_back(size_option(r.tmpfs_size));
  return {{r.target, "tmpfs", "tmpfs", options}, {"tmpfs", "", "", r.target, "", r.mode, !r.read_only, ""}};
}

// -v's fields: DST, SRC:DST or SRC:DST:MODE (checked for their number already).
MountRequest from_volume_fields(const std::vector<std::string>& fields) {
  // LAB 09 BEGIN: a source starting with "/" is a bind, another a volume name, none an anonymous volume; then MODE
  MountRequest r;
  r.target = fields.size() == 1 ? fields[0] : fields[1];
  r.source = fields.size() == 1 ? "" : absolute_if_dotted(fields[0]);
  r.mode = fields.size() == 3 ? fields[2] : "";
  if (!valid_mode(r.mode)) throw Error("invalid mode: " + r.mode);
  r.type = r.source.starts_with('/') ? "bind" : "volume";
  for (const auto& option : split(r.mode, ',')) {
    if (option == "ro") r.read_only = true;
    if (option == "nocopy") r.no_copy = true;
    if (propagation_modes().count(option)) r.propagation = option;
  }
  return r;
  // LAB 09 END
}

size_t depth(const std::string& path) { return static_cast<size_t>(std::count(path.begin(), path.end(), '/')); }

}  // namespace

MountRequest parse_volume_flag(const std::string& text) {
  std::string invalid = "invalid volume specification: '" + text + "'";
  std::vector<std::string> fields = split(text, ':');
  if (fields.size() > 3 || fields[0].empty()) throw Error(invalid);
  if (fields.size() == 2 && valid_mode(fields[1])) throw Error(invalid);  // "/data:ro": DST alone takes no mode
  MountRequest r = from_volume_fields(fields);
  r.create_host_dir = r.type == "bind";
  r.config_volume = r.source.empty();  // the CLI puts `-v /data` in the config's Volumes
  if (r.mode.empty() && r.type == "volume" && !r.config_volume) r.mode = "z";  // Docker's label mode for a local volume
  OptionGroups groups{!r.propagation.empty(), r.no_copy, false};
  with_context(invalid, [&] { validate(r, groups); });
  if (r.type == "volume" && !r.source.empty()) check_volume_name(r.source);
  return r;
}

MountRequest parse_mount_flag(const std::string& text) {
  MountRequest r;
  OptionGroups groups;
  with_context("invalid argument \"" + text + "\" for \"--mount\" flag", [&] {
    for (const auto& field : csv_fields(text)) set_field(r, groups, field);
    check_mount_fields(r, groups);
  });
  validate(r, groups);
  if (r.type == "volume" && !r.source.empty()) check_volume_name(r.source);
  if (r.type == "volume") r.mode = "z";  // Docker's label mode for a local volume
  return r;
}

void add_image_volumes(std::vector<MountRequest>& requests, const std::vector<std::string>& image_volumes) {
  for (const auto& path : image_volumes) {
    MountRequest r;
    r.target = path;
    r.config_volume = true;
    validate(r, {});
    auto same_target = [&](const MountRequest& other) { return other.target == r.target; };
    if (std::none_of(requests.begin(), requests.end(), same_target)) requests.push_back(r);
  }
}

std::vector<ResolvedMount> resolve_mounts(const std::vector<MountRequest>& requests, const VolumeStore& volumes) {
  std::set<std::string> taken;
  std::vector<const MountRequest*> chosen;
  for (const auto& r : requests)
    if (!r.config_volume && !taken.insert(r.target).second) throw Error("Duplicate mount point: " + r.target);
  for (const auto& r : requests)
    if (!r.config_volume || taken.insert(r.target).second) chosen.push_back(&r);
  std::vector<ResolvedMount> out;
  for (const MountRequest* r : chosen) out.push_back(resolve_mount(*r, volumes));
  auto shallower = [](const ResolvedMount& a, const ResolvedMount& b) {
    return depth(a.mount.destination) < depth(b.mount.destination);
  };
  std::stable_sort(out.begin(), out.end(), shallower);
  return out;
}

ResolvedMount resolve_mount(const MountRequest& request, const VolumeStore& volumes) {
  if (request.type == "bind") return resolve_bind(request);
  if (request.type == "volume") return resolve_volume(request, volumes);
  return resolve_tmpfs(request);
}

std::string mount_points_json(const std::vector<MountPoint>& points) {
  ordered_json out = ordered_json::array();
  for (const auto& p : points) {
    ordered_json j{{"Type", p.type}};
    if (!p.name.empty()) j["Name"] = p.name;
    j["Source"] = p.source;
    j["Destination"] = p.destination;
    if (!p.driver.empty()) j["Driver"] = p.driver;
    j["Mode"] = p.mode;
    j["RW"] = p.rw;
    j["Propagation"] = p.propagation;
    out.push_back(j);
  }
  return out.dump(4);
}

std::vector<MountPoint> mount_points_from_json(const std::string& text) {
  try {
    std::vector<MountPoint> out;
    for (const auto& j : ordered_json::parse(text))
      out.push_back({j.at("Type").get<std::string>(), j.value("Name", ""), j.value("Source", ""),
                     j.at("Destination").get<std::string>(), j.value("Driver", ""), j.value("Mode", ""),
                     j.value("RW", true), j.value("Propagation", "")});
    return out;
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("malformed Mounts: ") + e.what());
  }
}

}  // namespace boxlab::container
