// The part of Go's text/template that `docker inspect -f` is mostly used with: "{{.Id}}",
// "{{.Config.Cmd}}", "{{json .RootFS}}" and "{{.}}" inside any text. Values print as Go prints
// them: strings bare, lists as [a b], objects as map[k:v], a missing field as <no value>.
#pragma once

#include <string>

namespace labcli {

/// Render @p format once for every element of the JSON array @p json_array, a line each.
/// Throws a boxlab::Error on an action it does not know ("{{range …}}").
std::string render_template_lines(const std::string& format, const std::string& json_array);

}  // namespace labcli
