// The immutable render plan the audio thread runs: nodes in order, buffers assigned by liveness.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "reverie/event.hpp"
#include "reverie/graph.hpp"
#include "reverie/node.hpp"

namespace reverie {

/// Built on the control thread by compile(), read (never resized) on the audio thread, and
/// destroyed on the control thread after the audio thread hands it back.
struct RenderPlan {
  /// Several connections into one input: their buffers are summed into `target` first.
  struct InputMix {
    int target = 0;
    int firstSource = 0;  ///< into mixSources
    int sourceCount = 0;
  };
  struct Step {
    Node* node = nullptr;
    NodeId id = kInvalidNode;
    int firstInput = 0;   ///< into inputs
    int firstOutput = 0;  ///< into outputs
    int firstMix = 0;     ///< into mixes
    int mixCount = 0;
    int firstEvent = 0;   ///< into events; kEventsPerNode slots each
    int eventCount = 0;   ///< audio thread: events queued for the current block
    bool isOutput = false;
  };
  static constexpr int kEventsPerNode = 1024;

  std::vector<std::shared_ptr<Node>> owners;  ///< keeps nodes alive while the plan runs
  std::vector<Step> steps;
  std::vector<std::pair<NodeId, int>> lookup;  ///< node id -> step, sorted by id
  std::vector<float> memory;                   ///< bufferCount * maxBlockFrames floats
  std::vector<float*> buffers;                 ///< buffer 0 is silence, never written
  std::vector<const float*> inputs;
  std::vector<float*> outputs;
  std::vector<InputMix> mixes;
  std::vector<int> mixSources;
  std::vector<Event> events;
  int maxBlockFrames = 0;
  int bufferCount = 0;

  /// The step of a node, or -1. Binary search: wait-free.
  int findStep(NodeId id) const noexcept;
};

/// Compiles the graph: topological order (GraphError on a cycle), input mixes, and buffers
/// reused once their last reader has run. Nodes must already be prepared. Control thread.
std::unique_ptr<RenderPlan> compile(const Graph& graph, int maxBlockFrames);

}  // namespace reverie
