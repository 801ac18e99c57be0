// One block of a parallel render plan as work for the pool: its steps, part by part, claimed as
// their inputs become ready, by the audio thread and the workers alike: the earliest part first,
// and among those the longest path to the block's end.
#pragma once

#include <atomic>
#include <cstdint>

#include "engine/render_plan.hpp"
#include "engine/worker_pool.hpp"

namespace reverie {

class MasterBus;

class PlanWork final : public ParallelWork {
 public:
  /// The master bus renders each part once the output nodes have rendered it.
  explicit PlanWork(MasterBus& master) : master_(master) {}

  /// Audio thread: sets `plan` (compiled `parallel`) up for block `generation` of `frames`
  /// frames, its events already sorted.
  void begin(RenderPlan& plan, int frames, std::uint64_t generation) noexcept;
  /// Whether a block of `frames` frames renders its master bus here, part by part; otherwise
  /// (a block of one part: nothing to overlap it with) the audio thread renders it after run(),
  /// so no worker it would wait for holds it.
  static bool masterInParts(int frames) noexcept { return RenderPlan::partsOf(frames) > 1; }
  bool runOne(std::uint64_t generation) noexcept override;
  bool finished(std::uint64_t generation) const noexcept override;

 private:
  /// Audio thread, between blocks: orders the claims by each step's cost plus its costliest
  /// path through the steps that read it (the critical path first; ties in step order).
  static void reorder(RenderPlan& plan) noexcept;

  /// Claims and renders the master bus's next part if the output nodes have rendered it.
  bool runMasterPart(RenderPlan& plan, std::uint64_t generation, int parts) noexcept;

  MasterBus& master_;
  std::atomic<RenderPlan*> plan_{nullptr};
  /// The master bus's parts, as a step's state (see stepState).
  std::atomic<std::uint64_t> masterState_{0};
  std::atomic<int> masterParts_{0};  ///< the master bus's parts in this block (0: not here)
};

}  // namespace reverie
