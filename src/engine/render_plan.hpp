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
  std::vector<int> outputSteps;     ///< steps whose node is an output, in step order

  // ---- parallel rendering (compiled with `parallel`: no buffer is shared by two steps) ----
  /// Steps that read a step's outputs: dependents[firstDependent[s] .. firstDependent[s + 1]).
  std::vector<int> dependents;
  std::vector<int> firstDependent;
  /// Steps a step reads: predecessors[firstPredecessor[s] .. firstPredecessor[s + 1]).
  std::vector<int> predecessors;
  std::vector<int> firstPredecessor;
  bool parallel = false;
  /// A long block is rendered in parts of about this many frames, each step part by part, so
  /// the steps at the end of the graph (the hall) render one part while the sections render
  /// the next, instead of waiting for the whole block. Every node's output is independent of
  /// how its blocks are split, so the parts do not change a sample.
  static constexpr int kPartFrames = 512;
  /// The parts of a block of `frames` frames: 1 up to 2 * kPartFrames - 1, then one a
  /// kPartFrames (at most kMaxParts).
  static constexpr int kMaxParts = 16;
  static int partsOf(int frames) noexcept;
  /// Where part `part` of `parts` starts in a block of `frames` frames.
  static int partStart(int frames, int parts, int part) noexcept {
    return static_cast<int>(static_cast<long>(frames) * part / parts);
  }
  /// Per step: the block's generation << 8 | the parts done << 1 | 1 while someone renders one.
  std::unique_ptr<std::atomic<std::uint64_t>[]> stepState;
  /// The order in which steps are claimed: the longest measured path to the end of the block
  /// first, so the chain the block waits for (crystal, halo, hall) starts while the other steps
  /// fill the other cores. Rewritten by the audio thread between blocks (see PlanWork).
  std::unique_ptr<std::atomic<int>[]> claimOrder;
  /// Per step: a running average of its render's cost in clock ticks, kept by whoever renders it.
  std::unique_ptr<std::atomic<float>[]> stepCost;
  std::vector<float> pathCost;    ///< audio thread: scratch for ordering
  std::vector<int> orderScratch;  ///< audio thread: scratch for ordering
  std::atomic<int> partsDone{0};
  std::atomic<int> blockFrames{0};
  std::atomic<int> blockParts{1};
  std::atomic<std::uint64_t> blockGeneration{0};

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
  void renderStep(const Step& step, int frames) noexcept { renderPart(step, 0, frames, frames); }
  /// The same for frames [first, first + frames) of a block of `blockFrames`, with the events
  /// that fall there (the last part also takes any at or past the block's end).
  void renderPart(const Step& step, int first, int frames, int blockFrames) noexcept;
};

/// Compiles the graph: topological order (GraphError on a cycle), input mixes, and buffers
/// reused once their last reader has run. Nodes must already be prepared. Control thread.
/// A `parallel` plan gives every output and mix a buffer of its own, so steps that do not
/// read each other may render at the same time, and knows who reads whom.
std::unique_ptr<RenderPlan> compile(const Graph& graph, int maxBlockFrames, bool parallel = false);

}  // namespace reverie
