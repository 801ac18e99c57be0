// [[connect]] entries: "node.port" ends resolved against the node types, then a cycle check.
#include <algorithm>

#include "preset/patch_sections.hpp"
#include "reverie/graph.hpp"

namespace reverie::preset {
namespace {

/// Stands in for a real node while checking topology: the type's ports, no DSP, no voices.
class TopologyNode final : public Node {
 public:
  using Node::Node;

 protected:
  void render(const float* const*, float* const*, int) noexcept override {}
};

/// One valid connection, with where the file wrote it.
struct Wire {
  std::string fromNode;
  int fromPort = 0;
  std::string toNode;
  int toPort = 0;
  toml::source_region where;
};

int findPort(std::span<const std::string_view> ports, std::string_view name) {
  const auto it = std::find(ports.begin(), ports.end(), name);
  return it == ports.end() ? -1 : static_cast<int>(it - ports.begin());
}

std::vector<std::string> portNames(std::span<const std::string_view> ports) {
  return {ports.begin(), ports.end()};
}

/// Resolves one end; `role` is "from" (an output port) or "to" (an input port).
std::optional<std::pair<std::string, int>> readEnd(const toml::table& table, std::string_view role,
                                                   const PatchReader& reader,
                                                   DiagnosticList& diagnostics) {
  const bool isOutput = role == "from";
  const std::string key = "'" + std::string(role) + "'";
  const toml::node* value = table.get(role);
  if (value == nullptr) {
    diagnostics.add(table.source(), "[[connect]] has no " + key + "; add " + std::string(role) +
                                        " = \"node.port\" (an " + (isOutput ? "output" : "input") +
                                        " port)");
    return std::nullopt;
  }
  const std::optional<std::string> text = readString(*value, key, diagnostics);
  if (!text) return std::nullopt;
  // Node names never contain '.', so the first one separates node from port.
  const std::size_t dot = text->find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == text->size()) {
    diagnostics.add(value->source(), key + " = " + inQuotes(*text) +
                                         " must be written \"node.port\", a node name, a dot "
                                         "and a port name");
    return std::nullopt;
  }
  const std::string nodeName = text->substr(0, dot);
  const std::string portName = text->substr(dot + 1);
  const auto declared = reader.nodes.find(nodeName);
  if (declared == reader.nodes.end()) {
    const std::string hint = suggestion(nodeName, reader.nodeNames());
    diagnostics.add(value->source(),
                    "connection " + std::string(role) + " unknown node " + inQuotes(nodeName) +
                        (hint.empty() ? "; nodes: " + joinNames(reader.nodeNames()) : hint));
    return std::nullopt;
  }
  const NodeType* type = declared->second.type;
  if (type == nullptr) return std::nullopt;  // its unknown type is already reported
  const auto ports = isOutput ? type->outputs : type->inputs;
  const int port = findPort(ports, portName);
  if (port >= 0) return std::make_pair(nodeName, port);

  const std::string kind = isOutput ? "outputs" : "inputs";
  const std::string listing =
      ports.empty()
          ? " (" + std::string(type->name) + " " + inQuotes(nodeName) + " has no " + kind + ")"
          : " (" + kind + " of " + inQuotes(nodeName) + ": " + joinNames(portNames(ports)) + ")";
  if (findPort(isOutput ? type->inputs : type->outputs, portName) >= 0) {
    diagnostics.add(value->source(), key + " = " + inQuotes(*text) + " names an " +
                                         (isOutput ? "input" : "output") + " port; " + key +
                                         " takes an " + (isOutput ? "output" : "input") + " port" +
                                         listing);
  } else {
    diagnostics.add(value->source(), std::string(type->name) + " " + inQuotes(nodeName) +
                                         " has no " + (isOutput ? "output" : "input") + " port " +
                                         inQuotes(portName) +
                                         suggestion(portName, portNames(ports)) + listing);
  }
  return std::nullopt;
}

// Builds a throwaway graph of stand-in nodes and asks the graph itself for cycles, so the
// preset check and the engine can never disagree about what a cycle is. Each cycle found is
// reported at the connection that closes it, then cut, so independent cycles all show up.
void reportCycles(const std::vector<Wire>& wires, const PatchReader& reader) {
  Graph graph;
  std::map<std::string, NodeId, std::less<>> ids;
  for (const auto& [name, declared] : reader.nodes)
    if (declared.type != nullptr)
      ids[name] = graph.add(std::make_unique<TopologyNode>(*declared.type), name);
  for (const Wire& wire : wires)
    graph.connect({ids.at(wire.fromNode), wire.fromPort}, {ids.at(wire.toNode), wire.toPort});

  for (std::size_t found = 0; found < wires.size(); ++found) {
    const std::vector<NodeId> cycle = findCycle(graph);
    if (cycle.empty()) return;
    std::string path;
    for (const NodeId id : cycle) path += graph.entry(id).name + " -> ";
    path += graph.entry(cycle.front()).name;
    const std::string& last = graph.entry(cycle.back()).name;
    const std::string& first = graph.entry(cycle.front()).name;
    const auto closing = std::find_if(wires.begin(), wires.end(), [&](const Wire& wire) {
      return wire.fromNode == last && wire.toNode == first;
    });
    reader.diagnostics.add(closing->where, "connections form a cycle: " + path +
                                               "; remove one of these connections (signal must "
                                               "flow one way)");
    const std::vector<Connection> all = graph.connections();
    for (const Connection& connection : all)
      if (connection.from.node == cycle.back() && connection.to.node == cycle.front())
        graph.disconnect(connection.from, connection.to);
  }
}

}  // namespace

void readConnections(const toml::node& section, PatchReader& reader) {
  DiagnosticList& diagnostics = reader.diagnostics;
  std::vector<Wire> wires;
  for (const toml::table* table : tablesOf(section, "connect", diagnostics)) {
    checkKeys(*table, {"from", "to"}, "[[connect]]", diagnostics);
    const auto from = readEnd(*table, "from", reader, diagnostics);
    const auto to = readEnd(*table, "to", reader, diagnostics);
    if (!from || !to) continue;
    const auto same = std::find_if(wires.begin(), wires.end(), [&](const Wire& wire) {
      return wire.fromNode == from->first && wire.fromPort == from->second &&
             wire.toNode == to->first && wire.toPort == to->second;
    });
    const std::string fromText = *table->get("from")->value<std::string>();
    const std::string toText = *table->get("to")->value<std::string>();
    if (same != wires.end()) {
      diagnostics.add(table->source(),
                      "duplicate connection " + fromText + " -> " + toText + " (also on line " +
                          std::to_string(same->where.begin.line) + "); remove one");
      continue;
    }
    wires.push_back({from->first, from->second, to->first, to->second, table->source()});
    reader.patch.connections.emplace_back(fromText, toText);
  }
  reportCycles(wires, reader);
}

}  // namespace reverie::preset
