// [[map]] entries: a MIDI controller, aftertouch or a host's macro driving a node parameter over
// a range.
#include <charconv>

#include "preset/patch_sections.hpp"

namespace reverie::preset {
namespace {

const std::vector<std::string> kMapKeys = {"source", "node", "param", "min", "max"};
const std::string kSourceRule =
    "write \"cc0\" to \"cc127\" (e.g. \"cc1\" mod wheel, \"cc74\" brightness), \"aftertouch\" "
    "or \"macro1\" to \"macro8\" (the plugin's macro parameters)";

/// "cc74" -> 74, "aftertouch" -> Node::kChannelPressureSource, "macro1" -> Node::kMacroSource.
std::optional<int> parseSource(std::string_view text) {
  if (text == "aftertouch") return Node::kChannelPressureSource;
  if (text.size() == 6 && text.substr(0, 5) == "macro" && text[5] >= '1' &&
      text[5] < '1' + Node::kMacroCount)
    return Node::kMacroSource + (text[5] - '1');
  if (text.size() < 3 || text.substr(0, 2) != "cc") return std::nullopt;
  int number = -1;
  const auto result = std::from_chars(text.data() + 2, text.data() + text.size(), number);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size() || number < 0 ||
      number > 127)
    return std::nullopt;
  return number;
}

void readMapEntry(const toml::table& table, PatchReader& reader) {
  DiagnosticList& diagnostics = reader.diagnostics;
  checkKeys(table, kMapKeys, "[[map]]", diagnostics);
  ControllerMap map;
  bool ok = true;

  if (const toml::node* source = table.get("source")) {
    const auto text = readString(*source, "'source'", diagnostics);
    const auto parsed = text ? parseSource(*text) : std::nullopt;
    if (text && !parsed)
      diagnostics.add(source->source(),
                      "source " + inQuotes(*text) + " is not a controller; " + kSourceRule);
    ok = parsed.has_value();
    if (parsed) map.source = *parsed;
  } else {
    diagnostics.add(table.source(),
                    "[[map]] has no source; add source = \"cc74\" (or another controller)");
    ok = false;
  }

  const DeclaredNode* declared = readNodeReference(table, "[[map]]", reader, map.node);
  const NodeType* type = declared != nullptr ? declared->type : nullptr;
  ok = ok && type != nullptr;

  const ParameterDescriptor* parameter = nullptr;
  if (const toml::node* param = table.get("param")) {
    const auto id = readString(*param, "'param'", diagnostics);
    if (id && type != nullptr) {
      const int index = findParameter(type->parameters, *id);
      if (index < 0) {
        diagnostics.add(param->source(), "node " + inQuotes(map.node) + " (" +
                                             std::string(type->name) + ") has no parameter " +
                                             inQuotes(*id) + suggestion(*id, parameterIds(*type)));
      } else if (type->parameters[static_cast<std::size_t>(index)].isChoice()) {
        diagnostics.add(
            param->source(),
            inQuotes(*id) +
                " is a choice, which a controller cannot sweep; map a numeric parameter");
      } else {
        parameter = &type->parameters[static_cast<std::size_t>(index)];
        map.parameter = *id;
      }
    }
  } else {
    diagnostics.add(table.source(), "[[map]] has no param; add param = \"<parameter id>\"");
  }
  ok = ok && parameter != nullptr;

  // The range the controller sweeps: the parameter's own range unless narrowed.
  if (parameter != nullptr) {
    map.minimum = parameter->minimum;
    map.maximum = parameter->maximum;
    for (const char* key : {"min", "max"}) {
      if (const toml::node* value = table.get(key)) {
        const auto number = readParameterValue(*value, *parameter, type->name, diagnostics);
        if (!number)
          ok = false;
        else
          (std::string_view(key) == "min" ? map.minimum : map.maximum) = *number;
      }
    }
  }
  if (ok) reader.patch.mappings.push_back(map);
}

}  // namespace

void readMaps(const toml::node& section, PatchReader& reader) {
  for (const toml::table* table : tablesOf(section, "map", reader.diagnostics))
    readMapEntry(*table, reader);
}

}  // namespace reverie::preset
