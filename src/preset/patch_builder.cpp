// A validated patch turned into graph nodes, parameter values and connections.
#include <algorithm>

#include "reverie/node_registry.hpp"
#include "reverie/preset.hpp"

namespace reverie {
namespace {

// "node.port": node names never contain '.', so the first dot is the separator.
PortRef resolve(const std::map<std::string, NodeId>& ids, const Graph& graph,
                const std::string& path, bool isOutput) {
  const std::size_t dot = path.find('.');
  const auto id = dot == std::string::npos ? ids.end() : ids.find(path.substr(0, dot));
  if (id == ids.end()) throw GraphError("no node for port '" + path + "' in the patch");
  const NodeType& type = graph.node(id->second).type();
  const auto ports = isOutput ? type.outputs : type.inputs;
  const auto port = std::find(ports.begin(), ports.end(), std::string_view(path).substr(dot + 1));
  if (port == ports.end())
    throw GraphError("node '" + path.substr(0, dot) + "' has no " +
                     (isOutput ? "output" : "input") + " port '" + path.substr(dot + 1) + "'");
  return {id->second, static_cast<int>(port - ports.begin())};
}

}  // namespace

std::map<std::string, NodeId> buildGraph(const Patch& patch, Graph& graph,
                                         std::string_view namePrefix) {
  std::map<std::string, NodeId> ids;
  // All or nothing: a clash with a node already in the graph leaves the graph as it was.
  try {
    for (const NodeSpec& spec : patch.nodes) {
      const NodeId id = graph.add(spec.type, std::string(namePrefix) + spec.name);
      ids.emplace(spec.name, id);
      for (const auto& [parameter, value] : spec.parameters)
        graph.setParameter(id, parameter, value);
      Node& node = graph.node(id);
      for (const auto& [list, values] : spec.lists)
        node.setList(findListParameter(node.type().lists, list), values);
    }
    for (const auto& [from, to] : patch.connections)
      graph.connect(resolve(ids, graph, from, true), resolve(ids, graph, to, false));
    for (const ControllerMap& map : patch.mappings) {
      Node& node = graph.node(ids.at(map.node));
      if (!node.mapController(map.source, findParameter(node.parameters(), map.parameter),
                              map.minimum, map.maximum))
        throw GraphError("node '" + map.node + "' takes at most " +
                         std::to_string(Node::kMaxControllerMappings) + " controller mappings");
    }
  } catch (...) {
    for (const auto& [name, id] : ids) graph.remove(id);
    throw;
  }
  return ids;
}

}  // namespace reverie
