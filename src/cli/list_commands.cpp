// `reverie presets` and `reverie nodes`: what there is to play, straight from the files and tables.
#include <cstdio>

#include "cli/commands.hpp"
#include "reverie/node_registry.hpp"
#include "reverie/preset.hpp"

namespace reverie::cli {
namespace {

int listPresetsAction() {
  const std::vector<PresetInfo> presets = listPresets();
  if (presets.empty()) {
    std::fputs("No presets found. Searched:\n", stdout);
    for (const auto& folder : presetSearchPath()) std::printf("  %s\n", folder.string().c_str());
    return 0;
  }
  std::string kind;
  for (const PresetInfo& p : presets) {
    if (p.kind != kind) {
      kind = p.kind;
      std::printf("%s%s:\n", &p == &presets.front() ? "" : "\n", kind.c_str());
    }
    std::printf("  %-22s %s\n", p.name.c_str(), p.description.c_str());
  }
  return 0;
}

std::string formatValue(const ParameterDescriptor& p, float value) {
  if (p.isChoice()) return std::string(p.choices[static_cast<std::size_t>(value)]);
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(value));
  return text;
}

std::string joinPorts(std::span<const std::string_view> ports) {
  if (ports.empty()) return "-";
  std::string text;
  for (std::string_view port : ports) text += (text.empty() ? "" : ", ") + std::string(port);
  return text;
}

int listNodesAction(bool verbose) {
  for (const NodeType* type : nodeTypes()) {
    std::printf("%-12s %s\n", std::string(type->name).c_str(),
                std::string(type->description).c_str());
    if (!verbose) continue;
    std::printf("    inputs: %s; outputs: %s%s\n", joinPorts(type->inputs).c_str(),
                joinPorts(type->outputs).c_str(), type->acceptsNotes ? "; plays notes" : "");
    for (const ParameterDescriptor& p : type->parameters) {
      std::string range;
      if (p.isChoice()) {
        for (std::string_view c : p.choices) range += (range.empty() ? "" : " | ") + std::string(c);
      } else {
        range = formatValue(p, p.minimum) + " to " + formatValue(p, p.maximum);
        if (!p.unit.empty()) range += " " + std::string(p.unit);
      }
      std::printf("    %-11s %-38s %-30s default %s\n", std::string(p.id).c_str(),
                  std::string(p.name).c_str(), range.c_str(),
                  formatValue(p, p.defaultValue).c_str());
    }
    for (const ListParameterDescriptor& list : type->lists)
      std::printf("    %-11s %-38s list of up to %d, each %g to %g\n", std::string(list.id).c_str(),
                  std::string(list.name).c_str(), list.maxLength, static_cast<double>(list.minimum),
                  static_cast<double>(list.maximum));
    std::printf("\n");
  }
  return 0;
}

}  // namespace

void addPresetsCommand(CLI::App& app, Action& action) {
  CLI::App* presets =
      app.add_subcommand("presets", "List the presets on the search path, with a line each");
  presets->callback([&action] { action = listPresetsAction; });
}

void addNodesCommand(CLI::App& app, Action& action) {
  auto brief = std::make_shared<bool>(false);
  CLI::App* nodes = app.add_subcommand("nodes", "List node types with their ports and parameters");
  nodes->add_flag("--brief", *brief, "One line per node type");
  nodes->callback([brief, &action] { action = [brief] { return listNodesAction(!*brief); }; });
}

}  // namespace reverie::cli
