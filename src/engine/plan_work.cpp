// PlanWork: steps claimed by a compare-exchange tagged with the block's generation.
#include "engine/plan_work.hpp"

#include <algorithm>
#include <chrono>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

namespace reverie {
namespace {

/// How often (in blocks) the claim order follows the measured costs.
constexpr std::uint64_t kReorderBlocks = 32;
/// Weight of a block's cost in a step's running average.
constexpr float kCostWeight = 0.125f;

/// A cheap, monotonic tick count: the time-stamp counter where there is one.
std::uint64_t ticks() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  return __rdtsc();
#else
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
}

}  // namespace

void PlanWork::reorder(RenderPlan& plan) noexcept {
  const std::size_t n = plan.steps.size();
  // Steps are in topological order: a step's readers come after it.
  for (std::size_t s = n; s-- > 0;) {
    float longest = 0.0f;
    for (int d = plan.firstDependent[s]; d < plan.firstDependent[s + 1]; ++d)
      longest = std::max(
          longest,
          plan.pathCost[static_cast<std::size_t>(plan.dependents[static_cast<std::size_t>(d)])]);
    plan.pathCost[s] = plan.stepCost[s].load(std::memory_order_relaxed) + longest;
  }
  for (std::size_t s = 0; s < n; ++s) plan.orderScratch[s] = static_cast<int>(s);
  // Insertion sort: stable, no allocation, and the order barely changes between calls.
  for (std::size_t i = 1; i < n; ++i) {
    const int step = plan.orderScratch[i];
    const float cost = plan.pathCost[static_cast<std::size_t>(step)];
    std::size_t j = i;
    for (; j > 0 && plan.pathCost[static_cast<std::size_t>(plan.orderScratch[j - 1])] < cost; --j)
      plan.orderScratch[j] = plan.orderScratch[j - 1];
    plan.orderScratch[j] = step;
  }
  for (std::size_t k = 0; k < n; ++k)
    plan.claimOrder[k].store(plan.orderScratch[k], std::memory_order_relaxed);
}

void PlanWork::begin(RenderPlan& plan, int frames, std::uint64_t generation) noexcept {
  const std::size_t n = plan.steps.size();
  plan.blockFrames.store(frames, std::memory_order_relaxed);
  for (std::size_t s = 0; s < n; ++s) {
    plan.waitingFor[s].store(plan.predecessorCount[s], std::memory_order_relaxed);
    plan.stepState[s].store(generation << 2 | RenderPlan::kPending, std::memory_order_relaxed);
  }
  plan.stepsDone.store(0, std::memory_order_relaxed);
  if (generation % kReorderBlocks == 0) reorder(plan);
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
  for (std::size_t k = 0; k < n; ++k) {
    const auto s = static_cast<std::size_t>(plan->claimOrder[k].load(std::memory_order_relaxed));
    std::uint64_t state = plan->stepState[s].load(std::memory_order_acquire);
    if (state != pending || plan->waitingFor[s].load(std::memory_order_acquire) != 0) continue;
    // A worker from an earlier block holds an older generation: its exchange fails here.
    if (!plan->stepState[s].compare_exchange_strong(state, generation << 2 | RenderPlan::kClaimed,
                                                    std::memory_order_acq_rel))
      continue;
    const std::uint64_t start = ticks();
    plan->renderStep(plan->steps[s], plan->blockFrames.load(std::memory_order_relaxed));
    const float spent = static_cast<float>(ticks() - start);
    const float average = plan->stepCost[s].load(std::memory_order_relaxed);
    plan->stepCost[s].store(average + kCostWeight * (spent - average), std::memory_order_relaxed);
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
