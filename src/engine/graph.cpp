// Graph editing on the control thread, and the topological order that compile() needs.
#include "reverie/graph.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <string>

#include "reverie/node_registry.hpp"

namespace reverie {
namespace {

int findPort(std::span<const std::string_view> ports, std::string_view name) {
  for (std::size_t i = 0; i < ports.size(); ++i)
    if (ports[i] == name) return static_cast<int>(i);
  return -1;
}

}  // namespace

NodeId Graph::add(std::unique_ptr<Node> node, std::string name) {
  if (!node) throw GraphError("cannot add an empty node");
  const NodeId id = nextId_++;
  if (name.empty()) name = std::string(node->type().name) + "#" + std::to_string(id);
  if (find(name) != kInvalidNode) throw GraphError("a node named '" + name + "' already exists");
  if (name.find('.') != std::string::npos)
    throw GraphError("node name '" + name + "' must not contain '.'");
  entries_.emplace(id, Entry{id, std::move(name), std::shared_ptr<Node>(std::move(node)), false});
  return id;
}

NodeId Graph::add(std::string_view typeName, std::string name) {
  const NodeType* type = findNodeType(typeName);
  if (type == nullptr) throw GraphError("unknown node type '" + std::string(typeName) + "'");
  return add(type->create(), std::move(name));
}

void Graph::remove(NodeId id) {
  mutableEntry(id);
  std::erase_if(connections_,
                [id](const Connection& c) { return c.from.node == id || c.to.node == id; });
  entries_.erase(id);
}

void Graph::connect(PortRef from, PortRef to) {
  const Node& source = node(from.node);
  const Node& target = node(to.node);
  if (from.port < 0 || from.port >= static_cast<int>(source.type().outputs.size()))
    throw GraphError("node '" + entry(from.node).name + "' has no output port " +
                     std::to_string(from.port));
  if (to.port < 0 || to.port >= static_cast<int>(target.type().inputs.size()))
    throw GraphError("node '" + entry(to.node).name + "' has no input port " +
                     std::to_string(to.port));
  const Connection connection{from, to};
  if (std::find(connections_.begin(), connections_.end(), connection) != connections_.end()) return;
  connections_.push_back(connection);
}

void Graph::connect(std::string_view from, std::string_view to) {
  connect(resolvePort(from, true), resolvePort(to, false));
}

void Graph::disconnect(PortRef from, PortRef to) {
  std::erase(connections_, Connection{from, to});
}

void Graph::setParameter(NodeId id, int index, float value) {
  Entry& e = mutableEntry(id);
  if (index < 0 || index >= static_cast<int>(e.node->parameters().size()))
    throw GraphError("node '" + e.name + "' has no parameter " + std::to_string(index));
  if (e.live && sink_ != nullptr) {
    sink_->sendParameter(id, index, value);
  } else {
    e.node->setParameterDirect(index, value);
  }
}

void Graph::setParameter(NodeId id, std::string_view parameterId, float value) {
  const int index = findParameter(node(id).parameters(), parameterId);
  if (index < 0)
    throw GraphError("node '" + entry(id).name + "' has no parameter '" + std::string(parameterId) +
                     "'");
  setParameter(id, index, value);
}

NodeId Graph::find(std::string_view name) const {
  for (const auto& [id, e] : entries_)
    if (e.name == name) return id;
  return kInvalidNode;
}

const Graph::Entry& Graph::entry(NodeId id) const {
  const auto it = entries_.find(id);
  if (it == entries_.end()) throw GraphError("no node with id " + std::to_string(id));
  return it->second;
}

Graph::Entry& Graph::mutableEntry(NodeId id) {
  return const_cast<Entry&>(entry(id));  // the lookup is entry()'s; the graph itself is ours
}

PortRef Graph::resolvePort(std::string_view path, bool isOutput) const {
  const std::size_t dot = path.rfind('.');
  if (dot == std::string_view::npos)
    throw GraphError("port '" + std::string(path) + "' must be written node.port");
  const std::string_view nodeName = path.substr(0, dot);
  const std::string_view portName = path.substr(dot + 1);
  const NodeId id = find(nodeName);
  if (id == kInvalidNode) throw GraphError("no node named '" + std::string(nodeName) + "'");
  const NodeType& type = node(id).type();
  const int port = findPort(isOutput ? type.outputs : type.inputs, portName);
  if (port < 0)
    throw GraphError("node '" + std::string(nodeName) + "' has no " +
                     (isOutput ? "output" : "input") + " port '" + std::string(portName) + "'");
  return {id, port};
}

void Graph::markAllLive() {
  for (auto& [id, e] : entries_) e.live = true;
}

std::vector<NodeId> findCycle(const Graph& graph) {
  // Depth-first search with colours; the grey stack holds the cycle when a back edge appears.
  std::map<NodeId, std::vector<NodeId>> successors;
  for (const Connection& c : graph.connections()) successors[c.from.node].push_back(c.to.node);
  std::map<NodeId, int> colour;  // 0 white, 1 grey, 2 black
  std::vector<NodeId> stack;
  std::vector<NodeId> cycle;
  std::function<bool(NodeId)> visit = [&](NodeId id) {
    colour[id] = 1;
    stack.push_back(id);
    for (NodeId next : successors[id]) {
      if (colour[next] == 1) {
        cycle.assign(std::find(stack.begin(), stack.end(), next), stack.end());
        return true;
      }
      if (colour[next] == 0 && visit(next)) return true;
    }
    colour[id] = 2;
    stack.pop_back();
    return false;
  };
  for (const auto& [id, e] : graph.entries())
    if (colour[id] == 0 && visit(id)) break;
  return cycle;
}

std::vector<NodeId> topologicalOrder(const Graph& graph) {
  // Kahn's algorithm over dense indices; the ready set is a min-heap so ties go to the lowest
  // id and the order (and so the render) is deterministic.
  std::vector<NodeId> ids;
  ids.reserve(graph.size());
  for (const auto& [id, e] : graph.entries()) ids.push_back(id);
  auto dense = [&](NodeId id) {
    return static_cast<std::size_t>(std::lower_bound(ids.begin(), ids.end(), id) - ids.begin());
  };
  const std::size_t n = ids.size();
  std::vector<int> indegree(n, 0), start(n + 1, 0);
  for (const Connection& c : graph.connections()) {
    ++start[dense(c.from.node) + 1];
    ++indegree[dense(c.to.node)];
  }
  for (std::size_t i = 1; i <= n; ++i) start[i] += start[i - 1];
  std::vector<std::size_t> successors(graph.connections().size());
  std::vector<int> cursor(start.begin(), start.end() - 1);
  for (const Connection& c : graph.connections())
    successors[static_cast<std::size_t>(cursor[dense(c.from.node)]++)] = dense(c.to.node);

  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t i = 0; i < n; ++i)
    if (indegree[i] == 0) ready.push(i);
  std::vector<NodeId> order;
  order.reserve(n);
  while (!ready.empty()) {
    const std::size_t i = ready.top();
    ready.pop();
    order.push_back(ids[i]);
    for (int k = start[i]; k < start[i + 1]; ++k)
      if (--indegree[successors[static_cast<std::size_t>(k)]] == 0)
        ready.push(successors[static_cast<std::size_t>(k)]);
  }
  if (order.size() != n) {
    const std::vector<NodeId> cycle = findCycle(graph);
    std::string names;
    for (NodeId id : cycle) names += graph.entry(id).name + " -> ";
    if (!cycle.empty()) names += graph.entry(cycle.front()).name;
    throw GraphError("the graph has a cycle: " + names);
  }
  return order;
}

}  // namespace reverie
