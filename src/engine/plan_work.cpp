// PlanWork: steps claimed by a compare-exchange tagged with the block's generation.
#include "engine/plan_work.hpp"

#include <algorithm>
#include <chrono>

#include "engine/master_bus.hpp"
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

namespace reverie {
namespace {

/// How often (in blocks) the claim order follows the measured costs.
constexpr std::uint64_t kReorderBlocks = 32;
/// Weight of a block's cost in a step's running average.
constexpr float kCostWeight = 0.125f;
/// A step's state: generation << kGenerationShift | parts done << 1 | kClaimed.
constexpr int kGenerationShift = 8;
constexpr std::uint64_t kPartMask = (std::uint64_t{1} << kGenerationShift) - 1;
constexpr std::uint64_t kClaimed = 1;
static_assert(RenderPlan::kMaxParts < 1 << (kGenerationShift - 1), "parts done fit the state");

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
  plan.blockParts.store(RenderPlan::partsOf(frames), std::memory_order_relaxed);
  for (std::size_t s = 0; s < n; ++s)
    plan.stepState[s].store(generation << kGenerationShift, std::memory_order_relaxed);
  masterState_.store(generation << kGenerationShift, std::memory_order_relaxed);
  masterParts_.store(masterInParts(frames) ? plan.blockParts.load(std::memory_order_relaxed) : 0,
                     std::memory_order_relaxed);
  plan.partsDone.store(0, std::memory_order_relaxed);
  if (generation % kReorderBlocks == 0) reorder(plan);
  // Whoever sees this generation (acquire) sees the block as set up above.
  plan.blockGeneration.store(generation, std::memory_order_release);
  plan_.store(&plan, std::memory_order_seq_cst);
}

bool PlanWork::runOne(std::uint64_t generation) noexcept {
  RenderPlan* plan = plan_.load(std::memory_order_seq_cst);
  if (plan == nullptr || plan->blockGeneration.load(std::memory_order_acquire) != generation)
    return false;
  const std::uint64_t base = generation << kGenerationShift;
  const int parts = plan->blockParts.load(std::memory_order_relaxed);
  const std::size_t n = plan->steps.size();
  // The master bus ends the block: its next part goes first whenever it can.
  if (runMasterPart(*plan, generation, parts)) return true;
  // The earliest part anyone can render now, the critical path first among equals: the hall's
  // first part goes before the sections' second, so the block's tail overlaps its head.
  std::size_t best = n;
  std::uint64_t bestState = 0;
  int bestPart = parts;
  for (std::size_t k = 0; k < n; ++k) {
    const auto s = static_cast<std::size_t>(plan->claimOrder[k].load(std::memory_order_relaxed));
    const std::uint64_t state = plan->stepState[s].load(std::memory_order_acquire);
    // Another block's state (a worker from an earlier block), or claimed right now.
    if ((state & ~kPartMask) != base || (state & kClaimed) != 0) continue;
    const int part = static_cast<int>((state & kPartMask) >> 1);
    if (part >= bestPart) continue;
    bool ready = true;
    for (int p = plan->firstPredecessor[s]; ready && p < plan->firstPredecessor[s + 1]; ++p) {
      const std::uint64_t before =
          plan->stepState[static_cast<std::size_t>(plan->predecessors[static_cast<std::size_t>(p)])]
              .load(std::memory_order_acquire);
      ready = (before >> kGenerationShift) == generation &&
              static_cast<int>((before & kPartMask) >> 1) > part;
    }
    if (!ready) continue;
    best = s;
    bestState = state;
    bestPart = part;
    if (part == 0) break;
  }
  if (best == n) return false;
  // A worker from an earlier block holds an older generation: its exchange fails here, and so
  // does anyone's who claimed the step first.
  if (!plan->stepState[best].compare_exchange_strong(bestState, bestState | kClaimed,
                                                     std::memory_order_acq_rel))
    return true;  // someone else took it: look again
  const int frames = plan->blockFrames.load(std::memory_order_relaxed);
  const int first = RenderPlan::partStart(frames, parts, bestPart);
  const int last = RenderPlan::partStart(frames, parts, bestPart + 1);
  const std::uint64_t start = ticks();
  plan->renderPart(plan->steps[best], first, last - first, frames);
  const float spent = static_cast<float>(ticks() - start) * static_cast<float>(parts);
  const float average = plan->stepCost[best].load(std::memory_order_relaxed);
  plan->stepCost[best].store(average + kCostWeight * (spent - average), std::memory_order_relaxed);
  // The part is done: readers waiting for it see its samples (release).
  plan->stepState[best].store(base | static_cast<std::uint64_t>(bestPart + 1) << 1,
                              std::memory_order_release);
  plan->partsDone.fetch_add(1, std::memory_order_acq_rel);
  return true;
}

bool PlanWork::runMasterPart(RenderPlan& plan, std::uint64_t generation, int parts) noexcept {
  const std::uint64_t base = generation << kGenerationShift;
  std::uint64_t state = masterState_.load(std::memory_order_acquire);
  if ((state & ~kPartMask) != base || (state & kClaimed) != 0) return false;
  const int part = static_cast<int>((state & kPartMask) >> 1);
  if (part >= masterParts_.load(std::memory_order_relaxed)) return false;
  for (int s : plan.outputSteps) {
    const std::uint64_t output =
        plan.stepState[static_cast<std::size_t>(s)].load(std::memory_order_acquire);
    if ((output >> kGenerationShift) != generation ||
        static_cast<int>((output & kPartMask) >> 1) <= part)
      return false;
  }
  if (!masterState_.compare_exchange_strong(state, state | kClaimed, std::memory_order_acq_rel))
    return false;
  const int frames = plan.blockFrames.load(std::memory_order_relaxed);
  const int first = RenderPlan::partStart(frames, parts, part);
  master_.renderPart(first, RenderPlan::partStart(frames, parts, part + 1) - first);
  masterState_.store(base | static_cast<std::uint64_t>(part + 1) << 1, std::memory_order_release);
  plan.partsDone.fetch_add(1, std::memory_order_acq_rel);
  return true;
}

bool PlanWork::finished(std::uint64_t generation) const noexcept {
  const RenderPlan* plan = plan_.load(std::memory_order_seq_cst);
  if (plan == nullptr || plan->blockGeneration.load(std::memory_order_acquire) != generation)
    return true;
  // Every step's parts, and the master bus's.
  return plan->partsDone.load(std::memory_order_acquire) ==
         static_cast<int>(plan->steps.size()) * plan->blockParts.load(std::memory_order_relaxed) +
             masterParts_.load(std::memory_order_relaxed);
}

}  // namespace reverie
