#include "go_template.hpp"

#include <nlohmann/json.hpp>

#include "boxlab/sys/error.hpp"

namespace labcli {

namespace {

using nlohmann::ordered_json;

std::string go_print(const ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "<nil>";
  if (value.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < value.size(); ++i) out += (i ? " " : "") + go_print(value[i]);
    return out + "]";
  }
  if (value.is_object()) {
    std::string out = "map[";
    bool first = true;
    for (const auto& [key, item] : value.items()) out += (first ? "" : " ") + key + ":" + go_print(item), first = false;
    return out + "]";
  }
  return value.dump();
}

// ".Config.Cmd" -> the value at that path; nullptr when a field is missing.
const ordered_json* lookup(const ordered_json& root, const std::string& path) {
  if (path == ".") return &root;
  const ordered_json* at = &root;
  size_t start = 1;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string field = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object() || !at->contains(field)) return nullptr;
    at = &(*at)[field];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return at;
}

std::string action(const ordered_json& root, std::string text) {
  while (!text.empty() && text.front() == ' ') text.erase(0, 1);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  bool as_json = text.starts_with("json ");
  if (as_json) text = text.substr(5);
  while (!text.empty() && text.front() == ' ') text.erase(0, 1);
  if (text.empty() || text.front() != '.')
    throw boxlab::Error("template: only {{.Field.Path}} and {{json .Field}} are supported, not {{" + text + "}}");
  const ordered_json* value = lookup(root, text);
  if (!value) return as_json ? "null" : "<no value>";
  return as_json ? value->dump() : go_print(*value);
}

}  // namespace

std::string render_template_lines(const std::string& format, const std::string& json_array) {
  ordered_json items = ordered_json::parse(json_array);
  std::string out;
  for (const auto& item : items) {
    size_t at = 0;
    while (at < format.size()) {
      size_t open = format.find("{{", at);
      if (open == std::string::npos) {
        out += format.substr(at);
        break;
      }
      size_t close = format.find("}}", open);
      if (close == std::string::npos) throw boxlab::Error("template: unclosed action in '" + format + "'");
      out += format.substr(at, open - at) + action(item, format.substr(open + 2, close - open - 2));
      at = close + 2;
    }
    out += "\n";
  }
  return out;
}

}  // namespace labcli
