// Text encodings a self-contained HTML report needs: HTML escaping, base64 data URIs for embedded images,
// JSON that is safe inside a <script> element, and a command line quoted so it can be pasted into a shell.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace litesr {

// &, <, >, " and ' replaced by entities (safe in element content and in quoted attribute values): xml_escape
// (base/svg_chart.h), whose entities are valid HTML too.
std::string html_escape(std::string_view text);

// RFC 4648 base64 with padding, no line breaks.
std::string base64_encode(std::string_view bytes);

// "data:<mime>;base64,<base64 of bytes>".
std::string data_uri(std::string_view mime, std::string_view bytes);

// JSON text made safe inside <script type="application/json">: every '<' becomes \u003c (so "</script>"
// cannot end the element) and U+2028 / U+2029 are escaped. The result parses to the same value.
std::string json_for_script(std::string_view json);

// The arguments as one POSIX shell command line: arguments made only of [A-Za-z0-9_@%+=:,./-] are written as
// they are, every other one single-quoted (a ' inside becomes '\''). An empty argument is ''.
std::string shell_command_line(const std::vector<std::string>& argv);

}  // namespace litesr
