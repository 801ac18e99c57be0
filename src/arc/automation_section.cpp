// [[scene.automate]] entries: a node parameter of the patch driven by a curve across a scene.
#include "arc/arc_reader.hpp"
#include "preset/patch_sections.hpp"

namespace reverie::arc {
namespace {

using preset::DiagnosticList;
using preset::inQuotes;
using preset::joinNames;

const std::vector<std::string> kAutomationKeys = {"target", "from", "to", "shape"};
const char* const kExample = "e.g. target = \"hall.mix\"";

struct Target {
  const NodeType* type = nullptr;
  const ParameterDescriptor* parameter = nullptr;
};

/// The node type and parameter that target = "node.parameter" names in the patch, filling
/// automation.node and automation.parameter; nullopt after reporting why it names none.
std::optional<Target> readTarget(const toml::table& table, Automation& automation,
                                 ArcReader& reader) {
  DiagnosticList& diagnostics = reader.diagnostics;
  const toml::node* node = table.get("target");
  if (node == nullptr) {
    diagnostics.add(table.source(), std::string("[[scene.automate]] has no target; add target = "
                                                "\"<node>.<parameter>\", ") +
                                        kExample);
    return std::nullopt;
  }
  const auto target = preset::readString(*node, "automation target", diagnostics);
  if (!target) return std::nullopt;
  const std::size_t dot = target->find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == target->size()) {
    diagnostics.add(node->source(), "automation target " + inQuotes(*target) +
                                        " must be <node>.<parameter>, " + kExample);
    return std::nullopt;
  }
  automation.node = target->substr(0, dot);
  automation.parameter = target->substr(dot + 1);
  if (!reader.patchLoaded) return std::nullopt;  // already reported; nothing to look in

  const NodeType* type = reader.nodeType(automation.node);
  if (type == nullptr) {
    const std::vector<std::string> nodes = reader.nodeNames();
    const std::string hint = preset::suggestion(automation.node, nodes);
    diagnostics.add(node->source(), "automation target " + inQuotes(*target) +
                                        " names no node of patch " +
                                        inQuotes(reader.arc.patchName) +
                                        (hint.empty() ? "; its nodes: " + joinNames(nodes) : hint));
    return std::nullopt;
  }
  const int index = findParameter(type->parameters, automation.parameter);
  if (index < 0) {
    std::vector<std::string> ids;  // list parameters are set once when built, never automated
    for (const ParameterDescriptor& parameter : type->parameters) ids.emplace_back(parameter.id);
    const std::string hint = preset::suggestion(automation.parameter, ids);
    diagnostics.add(node->source(), "unknown parameter " + inQuotes(automation.parameter) +
                                        " for " + std::string(type->name) + " " +
                                        inQuotes(automation.node) +
                                        (hint.empty() ? "; it has: " + joinNames(ids) : hint));
    return std::nullopt;
  }
  automation.parameterIndex = index;  // names map to ids here, once
  return Target{type, &type->parameters[static_cast<std::size_t>(index)]};
}

}  // namespace

void readAutomation(const toml::table& table, Scene& scene, ArcReader& reader) {
  DiagnosticList& diagnostics = reader.diagnostics;
  preset::checkKeys(table, kAutomationKeys, "[[scene.automate]]", diagnostics);
  const toml::node* ends[] = {table.get("from"), table.get("to")};
  bool ok = ends[0] != nullptr && ends[1] != nullptr;
  if (!ok)
    diagnostics.add(table.source(),
                    "[[scene.automate]] needs both from and to, in the "
                    "parameter's unit (a choice by its name)");
  const toml::node* shapeNode = table.get("shape");
  CurveShape shape = CurveShape::kLinear;
  bool shapeRead = false;  // a bad shape is reported once, not again as a choice that glides
  if (shapeNode != nullptr) {
    const std::optional<CurveShape> read = readCurveShape(*shapeNode, "automation", diagnostics);
    if (read) shape = *read;
    shapeRead = read.has_value();
    ok = ok && shapeRead;
  }

  Automation automation;
  const std::optional<Target> target = readTarget(table, automation, reader);
  if (!target) return;
  const ParameterDescriptor& parameter = *target->parameter;
  float* values[] = {&automation.curve.from, &automation.curve.to};
  for (int i = 0; i < 2; ++i) {
    if (ends[i] == nullptr) continue;
    const auto value =
        preset::readParameterValue(*ends[i], parameter, target->type->name, diagnostics);
    if (value) *values[i] = *value;
    ok = ok && value.has_value();
  }
  // A choice has no values between its choices: it holds `from`, and `to` begins the next scene.
  if (parameter.isChoice() && shapeRead && shape != CurveShape::kHold) {
    diagnostics.add(shapeNode->source(), inQuotes(parameter.id) +
                                             " is a choice, which cannot glide; remove shape "
                                             "(a choice holds 'from' through the scene)");
    ok = false;
  }
  automation.curve.shape = parameter.isChoice() ? CurveShape::kHold : shape;
  if (ok) scene.automation.push_back(std::move(automation));
}

}  // namespace reverie::arc
