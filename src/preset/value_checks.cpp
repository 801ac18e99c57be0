// Typed values read from toml++ nodes, each problem reported where the user wrote it.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "preset/patch_sections.hpp"

namespace reverie::preset {
namespace {

// A number written in quotes ("1800") is the commonest wrong type; say how to fix it.
bool looksLikeNumber(std::string_view text) {
  double number = 0.0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), number);
  return !text.empty() && result.ec == std::errc() && result.ptr == text.data() + text.size();
}

std::string withUnit(std::string number, std::string_view unit) {
  return unit.empty() ? number : number + " " + std::string(unit);
}

std::vector<std::string> choiceNames(const ParameterDescriptor& parameter) {
  return {parameter.choices.begin(), parameter.choices.end()};
}

std::optional<float> readChoice(const toml::node& value, const ParameterDescriptor& parameter,
                                std::string_view typeName, DiagnosticList& diagnostics) {
  const std::string id = inQuotes(parameter.id);
  const auto count = static_cast<std::int64_t>(parameter.choices.size());
  if (const auto* text = value.as_string()) {
    const std::string& name = text->get();
    for (std::int64_t i = 0; i < count; ++i)
      if (parameter.choices[static_cast<std::size_t>(i)] == name) return static_cast<float>(i);
    std::string hint = suggestion(name, choiceNames(parameter));
    diagnostics.add(value.source(), id + " = " + inQuotes(name) + " is not a choice for " +
                                        std::string(typeName) + hint + " (" +
                                        describeRange(parameter) + ")");
    return std::nullopt;
  }
  if (const auto* integer = value.as_integer()) {
    if (integer->get() >= 0 && integer->get() < count) return static_cast<float>(integer->get());
    diagnostics.add(value.source(), id + " = " + std::to_string(integer->get()) +
                                        " is out of range for " + std::string(typeName) + " (" +
                                        describeRange(parameter) + ")");
    return std::nullopt;
  }
  diagnostics.add(value.source(), id + " for " + std::string(typeName) + " must be " +
                                      describeRange(parameter) + ", not " + describeType(value));
  return std::nullopt;
}

}  // namespace

std::string describeType(const toml::node& value) {
  switch (value.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string unknownKeyMessage(std::string_view key, const std::vector<std::string>& allowed,
                              std::string_view place) {
  std::string message = place.empty()
                            ? "unknown top-level key " + inQuotes(key)
                            : "unknown key " + inQuotes(key) + " in " + std::string(place);
  const std::string hint = suggestion(key, allowed);
  return message + (hint.empty() ? "; expected one of: " + joinNames(allowed) : hint);
}

void checkKeys(const toml::table& table, const std::vector<std::string>& allowed,
               std::string_view place, DiagnosticList& diagnostics) {
  for (const auto& [key, value] : table)
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end())
      diagnostics.add(key.source(), unknownKeyMessage(key.str(), allowed, place));
}

std::vector<const toml::table*> tablesOf(const toml::node& section, std::string_view key,
                                         DiagnosticList& diagnostics) {
  const std::string header = "[[" + std::string(key) + "]]";
  std::vector<const toml::table*> tables;
  if (const auto* array = section.as_array()) {
    for (const toml::node& element : *array) {
      if (const auto* table = element.as_table()) {
        tables.push_back(table);
      } else {
        diagnostics.add(element.source(), "each entry of '" + std::string(key) +
                                              "' must be a table (write " + header + "), not " +
                                              describeType(element));
      }
    }
    return tables;
  }
  const std::string found =
      section.is_table() ? "[" + std::string(key) + "]" : describeType(section);
  diagnostics.add(section.source(), "'" + std::string(key) + "' must be written " + header +
                                        " (a list of entries), not " + found);
  return tables;
}

std::optional<double> readNumber(const toml::node& value, std::string_view what,
                                 std::string_view expected, DiagnosticList& diagnostics) {
  const std::string name(what);
  const std::string hint = expected.empty() ? "" : " (" + std::string(expected) + ")";
  if (const auto* integer = value.as_integer()) return static_cast<double>(integer->get());
  if (const auto* floating = value.as_floating_point()) {
    const double number = floating->get();
    if (std::isfinite(number)) return number;
    diagnostics.add(value.source(),
                    name + " is " + formatNumber(number) + "; give a finite number" + hint);
    return std::nullopt;
  }
  std::string message = name + " must be a number" + hint + ", not " + describeType(value);
  if (const auto* text = value.as_string()) {
    message += " (" + inQuotes(text->get()) + ")";
    if (looksLikeNumber(text->get())) message += "; write the number without quotes";
  }
  diagnostics.add(value.source(), message);
  return std::nullopt;
}

std::optional<std::string> readEntryName(const toml::table& table, std::string_view kind,
                                         DiagnosticList& diagnostics, std::string_view dotReason) {
  const std::string what(kind);
  const toml::node* node = table.get("name");
  if (node == nullptr) {
    diagnostics.add(table.source(),
                    "[[" + what + "]] has no name; add name = \"...\" (" + kNameRule + ")");
    return std::nullopt;
  }
  std::optional<std::string> name = readString(*node, what + " name", diagnostics);
  if (!name) return std::nullopt;
  if (name->empty()) {
    diagnostics.add(node->source(), what + " name is empty; use " + kNameRule);
    return std::nullopt;
  }
  if (!dotReason.empty() && name->find('.') != std::string::npos) {
    diagnostics.add(node->source(), what + " name " + inQuotes(*name) + " must not contain '.', " +
                                        std::string(dotReason) + "; use " + kNameRule);
    return std::nullopt;
  }
  const bool valid = std::all_of(name->begin(), name->end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
  });
  if (!valid) {
    diagnostics.add(node->source(),
                    what + " name " + inQuotes(*name) + " may only use " + kNameRule);
    return std::nullopt;
  }
  return name;
}

std::optional<std::string> readString(const toml::node& value, std::string_view what,
                                      DiagnosticList& diagnostics) {
  if (const auto* text = value.as_string()) return text->get();
  diagnostics.add(value.source(),
                  std::string(what) + " must be a string in quotes, not " + describeType(value));
  return std::nullopt;
}

std::string describeRange(const ParameterDescriptor& parameter) {
  if (parameter.isChoice())
    return "one of: " + joinNames(choiceNames(parameter)) + ", or an index 0 to " +
           std::to_string(parameter.choices.size() - 1);
  return formatNumber(parameter.minimum) + " to " +
         withUnit(formatNumber(parameter.maximum), parameter.unit);
}

std::optional<float> readParameterValue(const toml::node& value,
                                        const ParameterDescriptor& parameter,
                                        std::string_view typeName, DiagnosticList& diagnostics) {
  if (parameter.isChoice()) return readChoice(value, parameter, typeName, diagnostics);
  const std::string id = inQuotes(parameter.id);
  const std::string range = describeRange(parameter);
  const std::optional<double> number =
      readNumber(value, id + " for " + std::string(typeName), range, diagnostics);
  if (!number) return std::nullopt;
  // Compare as float, as the node will store it: 0.001 written in the file must equal a
  // minimum of 0.001f even though the two doubles differ in the last bits.
  constexpr double kFloatMax = std::numeric_limits<float>::max();
  const bool representable = *number >= -kFloatMax && *number <= kFloatMax;
  const float single = representable ? static_cast<float>(*number) : 0.0f;
  if (!representable || single < parameter.minimum || single > parameter.maximum) {
    diagnostics.add(value.source(), id + " = " + withUnit(formatNumber(*number), parameter.unit) +
                                        " is out of range for " + std::string(typeName) + " (" +
                                        range + ")");
    return std::nullopt;
  }
  return single;
}

std::vector<std::string> parameterIds(const NodeType& type) {
  std::vector<std::string> ids;
  for (const ParameterDescriptor& parameter : type.parameters) ids.emplace_back(parameter.id);
  for (const ListParameterDescriptor& list : type.lists) ids.emplace_back(list.id);
  return ids;
}

}  // namespace reverie::preset
