// [[node]] entries: names, types from the registry and parameter values from their tables.
#include <algorithm>
#include <cctype>

#include "preset/patch_sections.hpp"
#include "reverie/node_registry.hpp"

namespace reverie::preset {
namespace {

const std::vector<std::string> kNodeKeys = {"name", "type", "params"};

std::vector<std::string> typeNames() {
  std::vector<std::string> names;
  for (const NodeType* type : nodeTypes()) names.emplace_back(type->name);
  return names;
}

std::optional<std::string> readNodeName(const toml::table& table, DiagnosticList& diagnostics) {
  return readEntryName(table, "node", diagnostics, "which separates node and port in connections");
}

const NodeType* readNodeType(const toml::table& table, std::string_view place,
                             DiagnosticList& diagnostics) {
  const toml::node* node = table.get("type");
  if (node == nullptr) {
    diagnostics.add(
        table.source(),
        std::string(place) + " has no type; add type = \"...\", one of: " + joinNames(typeNames()));
    return nullptr;
  }
  const std::optional<std::string> name = readString(*node, "node type", diagnostics);
  if (!name) return nullptr;
  const NodeType* type = findNodeType(*name);
  if (type == nullptr) {
    const std::string hint = suggestion(*name, typeNames());
    diagnostics.add(node->source(), "unknown node type " + inQuotes(*name) +
                                        (hint.empty() ? "; known types: " + joinNames(typeNames())
                                                      : hint + " (see `reverie nodes`)"));
  }
  return type;
}

// Parameters in the order the file lists them: toml++ hands them over sorted by key.
/// A list parameter: an array of in-range finite numbers, 1 to maxLength of them.
std::optional<std::vector<float>> readList(const toml::node& value,
                                           const ListParameterDescriptor& list,
                                           std::string_view typeName, DiagnosticList& diagnostics) {
  const std::string range = formatNumber(list.minimum) + " to " + formatNumber(list.maximum) +
                            (list.unit.empty() ? "" : " " + std::string(list.unit));
  const auto* array = value.as_array();
  if (array == nullptr || array->empty() || static_cast<int>(array->size()) > list.maxLength) {
    diagnostics.add(value.source(), inQuotes(list.id) + " must be a list of 1 to " +
                                        std::to_string(list.maxLength) + " numbers (" + range +
                                        "), e.g. [1.0, 2.32, 4.25]");
    return std::nullopt;
  }
  std::vector<float> values;
  for (const toml::node& element : *array) {
    const auto number = readNumber(element, "each of " + inQuotes(list.id), range, diagnostics);
    if (!number) return std::nullopt;
    if (*number < list.minimum || *number > list.maximum) {
      diagnostics.add(element.source(), inQuotes(list.id) + " holds " + formatNumber(*number) +
                                            ", out of range for " + std::string(typeName) + " (" +
                                            range + ")");
      return std::nullopt;
    }
    values.push_back(static_cast<float>(*number));
  }
  return values;
}

std::vector<std::pair<std::string, float>> readParameters(
    const toml::node& section, const NodeType* type, std::string_view place,
    DiagnosticList& diagnostics, std::vector<std::pair<std::string, std::vector<float>>>& lists) {
  const auto* table = section.as_table();
  if (table == nullptr) {
    diagnostics.add(section.source(), "params of " + std::string(place) +
                                          " must be a table ([node.params] or params = { ... }), "
                                          "not " +
                                          describeType(section));
    return {};
  }
  if (type == nullptr) return {};  // the unknown type is already reported
  struct Located {
    toml::source_position where;
    std::pair<std::string, float> value;
  };
  std::vector<Located> values;
  const std::string typeName(type->name);
  for (const auto& [key, value] : *table) {
    const int index = findParameter(type->parameters, key.str());
    if (const int list = findListParameter(type->lists, key.str()); index < 0 && list >= 0) {
      if (auto values =
              readList(value, type->lists[static_cast<std::size_t>(list)], typeName, diagnostics))
        lists.emplace_back(std::string(key.str()), std::move(*values));
      continue;
    }
    if (index < 0) {
      const std::vector<std::string> ids = parameterIds(*type);
      const std::string hint = suggestion(key.str(), ids);
      diagnostics.add(key.source(),
                      "unknown parameter " + inQuotes(key.str()) + " for " + typeName + " in " +
                          std::string(place) +
                          (hint.empty() ? "; " + typeName + " has: " + joinNames(ids) : hint));
      continue;
    }
    const ParameterDescriptor& parameter = type->parameters[static_cast<std::size_t>(index)];
    if (const std::optional<float> number =
            readParameterValue(value, parameter, typeName, diagnostics))
      values.push_back({value.source().begin, {std::string(key.str()), *number}});
  }
  std::stable_sort(values.begin(), values.end(), [](const Located& a, const Located& b) {
    return a.where.line != b.where.line ? a.where.line < b.where.line
                                        : a.where.column < b.where.column;
  });
  std::vector<std::pair<std::string, float>> ordered;
  for (Located& located : values) ordered.push_back(std::move(located.value));
  return ordered;
}

void readNode(const toml::table& table, PatchReader& reader) {
  DiagnosticList& diagnostics = reader.diagnostics;
  const std::optional<std::string> name = readNodeName(table, diagnostics);
  const std::string place = name ? "[[node]] " + inQuotes(*name) : "[[node]]";
  const NodeType* type = readNodeType(table, place, diagnostics);

  for (const auto& [key, value] : table) {
    if (std::find(kNodeKeys.begin(), kNodeKeys.end(), key.str()) != kNodeKeys.end()) continue;
    if (type != nullptr && findParameter(type->parameters, key.str()) >= 0) {
      diagnostics.add(key.source(), inQuotes(key.str()) + " is a parameter of " +
                                        std::string(type->name) +
                                        "; put it under [node.params] (or params = { " +
                                        std::string(key.str()) + " = ... })");
    } else {
      diagnostics.add(key.source(), unknownKeyMessage(key.str(), kNodeKeys, place));
    }
  }

  std::vector<std::pair<std::string, float>> parameters;
  std::vector<std::pair<std::string, std::vector<float>>> lists;
  if (const toml::node* section = table.get("params"))
    parameters = readParameters(*section, type, place, diagnostics, lists);

  if (!name) return;
  const auto [existing, inserted] =
      reader.nodes.try_emplace(*name, DeclaredNode{type, table.source()});
  if (!inserted) {
    diagnostics.add(table.get("name")->source(),
                    "duplicate node name " + inQuotes(*name) + " (first used on line " +
                        std::to_string(existing->second.where.begin.line) +
                        "); give each [[node]] its own name");
    return;
  }
  if (type != nullptr)
    reader.patch.nodes.push_back(
        {*name, std::string(type->name), std::move(parameters), std::move(lists)});
}

}  // namespace

void readNodes(const toml::node& section, PatchReader& reader) {
  const std::vector<const toml::table*> tables = tablesOf(section, "node", reader.diagnostics);
  const auto* array = section.as_array();
  if (array != nullptr && array->empty())
    reader.diagnostics.add(section.source(),
                           "'node' is empty; add at least one [[node]] with a name and a type");
  for (const toml::table* table : tables) readNode(*table, reader);
}

const DeclaredNode* readNodeReference(const toml::table& table, std::string_view section,
                                      PatchReader& reader, std::string& name) {
  DiagnosticList& diagnostics = reader.diagnostics;
  const toml::node* node = table.get("node");
  if (node == nullptr) {
    diagnostics.add(table.source(),
                    std::string(section) + " entry has no node; add node = \"<node name>\"");
    return nullptr;
  }
  const auto text = readString(*node, "'node'", diagnostics);
  if (!text) return nullptr;
  const auto declared = reader.nodes.find(*text);
  if (declared == reader.nodes.end()) {
    const std::string hint = suggestion(*text, reader.nodeNames());
    diagnostics.add(node->source(),
                    std::string(section) + " refers to unknown node " + inQuotes(*text) +
                        (hint.empty() ? "; nodes: " + joinNames(reader.nodeNames()) : hint));
    return nullptr;
  }
  name = *text;
  return &declared->second;
}

}  // namespace reverie::preset
