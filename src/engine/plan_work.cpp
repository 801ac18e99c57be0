// PlanWork: steps claimed by a compare-exchange tagged with the block's generation.
#include "engine/plan_work.hpp"

namespace reverie {

void PlanWork::begin(RenderPlan& plan, int frames, std::uint64_t generation) noexcept {
  const std::size_t n = plan.steps.size();
  plan.blockFrames.store(frames, std::memory_order_relaxed);
  for (std::size_t s = 0; s < n; ++s) {
    plan.waitingFor[s].store(plan.predecessorCount[s], std::memory_order_relaxed);
    plan.stepState[s].store(generation << 2 | RenderPlan::kPending, std::memory_order_relaxed);
  }
  plan.stepsDone.store(0, std::memory_order_relaxed);
  // Whoever sees this generation (acquire) sees the block as set up above.
  plan.blockGeneration.store(generation, std::memory_order_release);
  plan_.store(&plan, std::memory_order_seq_cst);
}

bool PlanWork::runOne(std::uint64_t generation) noexcept {
  RenderPlan* plan = plan_.load(std::memory_order_seq_cst);
  if (plan == nullptr || plan->blockGeneration.load(std::memory_order_acquire) != generation)
    return false;
  const std::uint64_t pending = generation << 2 | RenderPlan::kPending;
  const std::size_t n = plan->steps.size();
  for (std::size_t s = 0; s < n; ++s) {
    std::uint64_t state = plan->stepState[s].load(std::memory_order_acquire);
    if (state != pending || plan->waitingFor[s].load(std::memory_order_acquire) != 0) continue;
    // A worker from an earlier block holds an older generation: its exchange fails here.
    if (!plan->stepState[s].compare_exchange_strong(state, generation << 2 | RenderPlan::kClaimed,
                                                    std::memory_order_acq_rel))
      continue;
    plan->renderStep(plan->steps[s], plan->blockFrames.load(std::memory_order_relaxed));
    plan->stepState[s].store(generation << 2 | RenderPlan::kDone, std::memory_order_release);
    for (int d = plan->firstDependent[s]; d < plan->firstDependent[s + 1]; ++d)
      plan->waitingFor[static_cast<std::size_t>(plan->dependents[static_cast<std::size_t>(d)])]
          .fetch_sub(1, std::memory_order_acq_rel);
    plan->stepsDone.fetch_add(1, std::memory_order_acq_rel);
    return true;
  }
  return false;
}

bool PlanWork::finished(std::uint64_t generation) const noexcept {
  const RenderPlan* plan = plan_.load(std::memory_order_seq_cst);
  if (plan == nullptr || plan->blockGeneration.load(std::memory_order_acquire) != generation)
    return true;
  return plan->stepsDone.load(std::memory_order_acquire) == static_cast<int>(plan->steps.size());
}

}  // namespace reverie
