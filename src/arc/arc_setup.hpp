// Building an arc into a graph: its patch, plus the composer that performs it.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "reverie/arc.hpp"
#include "reverie/graph.hpp"

namespace reverie::arc {

struct ArcNodes {
  std::map<std::string, NodeId> ids;  ///< the patch's nodes by their names in the patch
  NodeId composer = kInvalidNode;
};

/// Adds the arc's patch (buildGraph) and a composer node scripted with the arc. Node names
/// get `namePrefix`. Control thread; commit the engine afterwards.
ArcNodes buildArc(const Arc& arc, Graph& graph, std::string_view namePrefix = {});

/// Seconds an offline render of the arc lasts: its scenes (a held one its hold_max_bars, or its
/// bars), then its tail.
double arcSeconds(const Arc& arc);

}  // namespace reverie::arc
