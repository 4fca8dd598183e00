// Platforms and the choice of a manifest from an index (image-spec image-index.md; Docker's
// manifest list v2.2 is the same shape with other media types).
//
// Names are normalized before they are compared, as containerd's platforms package does:
// x86_64 is amd64, aarch64 is arm64, and an arm64 image without a variant is v8, so
// "linux/arm64" and "linux/arm64/v8" choose the same entry. Entries whose platform is
// unknown/unknown (buildx's attestation manifests) match nothing.
//
// Interface: Platform::{parse,str,matches}, default_platform, choose_manifest,
//            is_index_media_type, is_manifest_media_type
#include "boxlab/image/platform.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "boxlab/image/digest.hpp"
#include "boxlab/sys/error.hpp"

namespace boxlab::image {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

Platform normalize(Platform p) {
  p.os = lower(p.os);
  p.architecture = lower(p.architecture);
  p.variant = lower(p.variant);
  if (p.architecture == "x86_64" || p.architecture == "x86-64") p.architecture = "amd64";
  if (p.architecture == "aarch64") p.architecture = "arm64";
  if (p.architecture == "i386" || p.architecture == "i686") p.architecture = "386";
  if (p.architecture == "armhf") p.architecture = "arm", p.variant = "v7";
  if (p.architecture == "armel") p.architecture = "arm", p.variant = "v6";
  if (p.architecture == "arm64" && (p.variant.empty() || p.variant == "8")) p.variant = "v8";
  if (p.architecture == "arm" && p.variant.empty()) p.variant = "v7";
  if (p.architecture == "arm" && p.variant.size() == 1) p.variant = "v" + p.variant;
  return p;
}

bool is_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
      return false;
  return true;
}

}  // namespace

bool is_index_media_type(std::string_view media_type) { return media_kind(media_type) == MediaKind::kIndex; }

bool is_manifest_media_type(std::string_view media_type) { return media_kind(media_type) == MediaKind::kManifest; }

Platform Platform::parse(std::string_view text) {
  std::vector<std::string_view> parts;
  std::string_view rest = text;
  for (;;) {
    size_t slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (parts.size() < 2 || parts.size() > 3)
    throw Error("platform '" + std::string(text) + "': expected os/arch or os/arch/variant, like linux/amd64 or linux/arm64/v8");
  for (auto part : parts)
    if (!is_name(part)) throw Error("platform '" + std::string(text) + "': '" + std::string(part) + "' is not a valid name");
  Platform p;
  p.os = std::string(parts[0]);
  p.architecture = std::string(parts[1]);
  p.variant = parts.size() == 3 ? std::string(parts[2]) : "";
  return normalize(p);
}

std::string Platform::str() const {
  return os + "/" + architecture + (variant.empty() ? "" : "/" + variant);
}

bool Platform::matches(const Platform& candidate) const {
  Platform want = normalize(*this);
  Platform have = normalize(candidate);
  if (want.os != have.os || want.architecture != have.architecture) return false;
  return want.variant.empty() || want.variant == have.variant;
}

Platform default_platform() { return Platform{}; }

ManifestChoice choose_manifest(std::string_view index_json, const Platform& wanted) {
  auto bad = [](const std::string& why) { return Error("image index: " + why); };
  nlohmann::json index = nlohmann::json::parse(index_json, nullptr, false);
  if (index.is_discarded() || !index.is_object()) throw bad("not a JSON object");
  if (index.contains("mediaType")) {
    if (!index["mediaType"].is_string() || !is_index_media_type(index["mediaType"].get<std::string>()))
      throw bad("media type " + index["mediaType"].dump() + " is not a manifest list or an OCI index");
  }
  if (!index.contains("manifests") || !index["manifests"].is_array()) throw bad("no \"manifests\" array");

  std::optional<ManifestChoice> best;
  bool best_exact = false;
  std::vector<std::string> available;
  Platform want = normalize(wanted);
  for (const auto& entry : index["manifests"]) {
    if (!entry.is_object() || !entry.contains("platform") || !entry["platform"].is_object()) continue;
    const auto& p = entry["platform"];
    if (!p.contains("os") || !p.contains("architecture") || !p["os"].is_string() || !p["architecture"].is_string())
      continue;
    Platform have{p["os"].get<std::string>(), p["architecture"].get<std::string>(),
                  p.contains("variant") && p["variant"].is_string() ? p["variant"].get<std::string>() : ""};
    have = normalize(have);
    if (have.os == "unknown") continue;
    available.push_back(have.str());
    if (!want.matches(have)) continue;
    bool exact = have.variant == want.variant;
    if (best && (best_exact || !exact)) continue;  // keep the first match, upgrade to an exact one
    if (!entry.contains("digest") || !entry["digest"].is_string())
      throw bad("the entry for " + have.str() + " has no digest");
    if (!entry.contains("size") || !entry["size"].is_number_unsigned())
      throw bad("the entry for " + have.str() + " has no size");
    ManifestChoice choice;
    choice.digest = with_context("the entry for " + have.str(),
                                 [&] { return Digest::parse(entry["digest"].get<std::string>()).str(); });
    choice.size = entry["size"].get<uint64_t>();
    choice.media_type = entry.contains("mediaType") && entry["mediaType"].is_string()
                            ? entry["mediaType"].get<std::string>()
                            : std::string(kOciManifest);
    if (!is_manifest_media_type(choice.media_type))
      throw bad("the entry for " + have.str() + " has media type " + choice.media_type + ", not an image manifest");
    choice.platform = have;
    best = choice;
    best_exact = exact;
  }
  if (!best) {
    std::string list;
    for (const auto& a : available) list += (list.empty() ? "" : ", ") + a;
    throw Error("no manifest for " + want.str() + " in the image index; the image has: " +
                (list.empty() ? "no platform entries" : list));
  }
  return *best;
}

}  // namespace boxlab::image
