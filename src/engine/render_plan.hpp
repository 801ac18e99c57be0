// The immutable render plan the audio thread runs: nodes in order, buffers assigned by liveness.
#pragma once

#include <atomic>
#include <cstdint>
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
    int firstEvent = 0;  ///< audio thread: this block's events, into sortedEvents
    int eventCount = 0;
    bool isOutput = false;
    bool generatesEvents = false;
  };
  /// An event waiting for the block to start, tagged with its step.
  struct PendingEvent {
    int step = 0;
    Event event;
  };
  /// Events one block can carry for all nodes together; more are dropped and counted.
  static constexpr int kEventsPerBlock = 8192;

  std::vector<std::shared_ptr<Node>> owners;  ///< keeps nodes alive while the plan runs
  std::vector<Step> steps;
  std::vector<std::pair<NodeId, int>> lookup;  ///< node id -> step, sorted by id
  std::vector<float> memory;                   ///< bufferCount * maxBlockFrames floats
  std::vector<float*> buffers;                 ///< buffer 0 is silence, never written
  std::vector<const float*> inputs;
  std::vector<float*> outputs;
  std::vector<InputMix> mixes;
  std::vector<int> mixSources;
  std::vector<PendingEvent> pending;  ///< kEventsPerBlock slots
  int pendingCount = 0;
  std::vector<Event> sortedEvents;  ///< kEventsPerBlock slots
  int maxBlockFrames = 0;
  int bufferCount = 0;
  std::vector<int> generatorSteps;  ///< steps whose node generates events, in step order

  // ---- parallel rendering (compiled with `parallel`: no buffer is shared by two steps) ----
  /// Steps that read a step's outputs: dependents[firstDependent[s] .. firstDependent[s + 1]).
  std::vector<int> dependents;
  std::vector<int> firstDependent;
  std::vector<int> predecessorCount;  ///< distinct steps each step reads from
  bool parallel = false;
  /// Per step: the block's generation << 2 | a phase (kPending, kClaimed, kDone).
  std::unique_ptr<std::atomic<std::uint64_t>[]> stepState;
  /// Per step: predecessors not yet done in this block.
  std::unique_ptr<std::atomic<int>[]> waitingFor;
  /// The order in which steps are claimed: the longest measured path to the end of the block
  /// first, so the chain the block waits for (crystal, halo, hall) starts while the other steps
  /// fill the other cores. Rewritten by the audio thread between blocks (see PlanWork).
  std::unique_ptr<std::atomic<int>[]> claimOrder;
  /// Per step: a running average of its render's cost in clock ticks, kept by whoever renders it.
  std::unique_ptr<std::atomic<float>[]> stepCost;
  std::vector<float> pathCost;    ///< audio thread: scratch for ordering
  std::vector<int> orderScratch;  ///< audio thread: scratch for ordering
  std::atomic<int> stepsDone{0};
  std::atomic<int> blockFrames{0};
  std::atomic<std::uint64_t> blockGeneration{0};
  enum : std::uint64_t { kPending = 0, kClaimed = 1, kDone = 2 };

  /// The step of a node, or -1. Binary search: wait-free.
  int findStep(NodeId id) const noexcept;
  /// Audio thread: queues an event for a step; false when the block is full.
  bool queueEvent(int step, const Event& event) noexcept;
  /// Audio thread: groups the queued events by step, each group sorted by frame (stable).
  void sortEvents() noexcept;
  /// Audio thread: forgets this block's events.
  void clearEvents() noexcept;
  /// Audio thread (or a worker holding the step): the step's view of the block's buffers.
  ProcessBlock blockOf(const Step& step, int frames) const noexcept;
  /// Audio thread (or a worker holding the step): sums its input mixes and renders its node.
  void renderStep(const Step& step, int frames) noexcept;
};

/// Compiles the graph: topological order (GraphError on a cycle), input mixes, and buffers
/// reused once their last reader has run. Nodes must already be prepared. Control thread.
/// A `parallel` plan gives every output and mix a buffer of its own, so steps that do not
/// read each other may render at the same time, and knows who reads whom.
std::unique_ptr<RenderPlan> compile(const Graph& graph, int maxBlockFrames, bool parallel = false);

}  // namespace reverie
