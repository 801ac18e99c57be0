// One block of a parallel render plan as work for the pool: its steps, claimed as their inputs
// become ready, by the audio thread and the workers alike, longest path to the block's end first.
#pragma once

#include <atomic>
#include <cstdint>

#include "engine/render_plan.hpp"
#include "engine/worker_pool.hpp"

namespace reverie {

class PlanWork final : public ParallelWork {
 public:
  /// Audio thread: sets `plan` (compiled `parallel`) up for block `generation` of `frames`
  /// frames, its events already sorted.
  void begin(RenderPlan& plan, int frames, std::uint64_t generation) noexcept;
  bool runOne(std::uint64_t generation) noexcept override;
  bool finished(std::uint64_t generation) const noexcept override;

 private:
  /// Audio thread, between blocks: orders the claims by each step's cost plus its costliest
  /// path through the steps that read it (the critical path first; ties in step order).
  static void reorder(RenderPlan& plan) noexcept;

  std::atomic<RenderPlan*> plan_{nullptr};
};

}  // namespace reverie
