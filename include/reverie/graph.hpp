// The editable graph: nodes, connections and parameter values, on the control thread.
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "reverie/event.hpp"
#include "reverie/node.hpp"

namespace reverie {

/// A user-caused error in a graph edit or compile (unknown port, cycle, ...).
class GraphError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One end of a connection: a node and one of its mono ports.
struct PortRef {
  NodeId node = kInvalidNode;
  int port = 0;
  bool operator==(const PortRef&) const = default;
};

struct Connection {
  PortRef from;  ///< an output port
  PortRef to;    ///< an input port; several connections into one input are summed
  bool operator==(const Connection&) const = default;
};

/// Receives parameter changes for nodes that a published plan already holds (the engine).
class ParameterSink {
 public:
  virtual ~ParameterSink() = default;
  virtual bool sendParameter(NodeId node, int index, float value) = 0;
};

/// Control-thread model of the patch. Ordinary C++: it allocates and throws GraphError.
class Graph {
 public:
  struct Entry {
    NodeId id = kInvalidNode;
    std::string name;
    std::shared_ptr<Node> node;
    bool live = false;  ///< held by a published plan: changes travel as messages
  };

  /// Adds a node; `name` must be unique in the graph (generated from the type if empty).
  NodeId add(std::unique_ptr<Node> node, std::string name = {});
  /// Adds a node of a registered type.
  NodeId add(std::string_view typeName, std::string name = {});
  /// Removes a node and every connection that touches it.
  void remove(NodeId id);
  void connect(PortRef from, PortRef to);
  /// Connects by names: "osc.out" -> "mix.in1".
  void connect(std::string_view from, std::string_view to);
  void disconnect(PortRef from, PortRef to);
  /// Sets a parameter (clamped to its range). Live nodes receive it through the sink.
  void setParameter(NodeId id, int index, float value);
  void setParameter(NodeId id, std::string_view parameterId, float value);

  NodeId find(std::string_view name) const;
  const Entry& entry(NodeId id) const;
  Node& node(NodeId id) const { return *entry(id).node; }
  const std::map<NodeId, Entry>& entries() const { return entries_; }
  const std::vector<Connection>& connections() const { return connections_; }
  std::size_t size() const { return entries_.size(); }

  /// Resolves "node.port" to an output (isOutput) or input port.
  PortRef resolvePort(std::string_view path, bool isOutput) const;

 private:
  friend class Engine;  // the only one that publishes plans
  void setParameterSink(ParameterSink* sink) { sink_ = sink; }
  /// Marks every node as held by a published plan (called by the engine after commit).
  void markAllLive();
  Entry& mutableEntry(NodeId id);
  std::map<NodeId, Entry> entries_;
  std::vector<Connection> connections_;
  NodeId nextId_ = 1;
  ParameterSink* sink_ = nullptr;
};

/// Nodes in an order where every node comes after the nodes feeding it. Throws GraphError
/// naming the nodes of a cycle if there is one.
std::vector<NodeId> topologicalOrder(const Graph& graph);
/// The nodes of one cycle, in order (empty when the graph has none).
std::vector<NodeId> findCycle(const Graph& graph);

}  // namespace reverie
