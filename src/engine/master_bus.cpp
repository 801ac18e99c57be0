// MasterBus: the output nodes' sum, then the limiter (detectors a run at a time, gain per frame).
#include "engine/master_bus.hpp"

#include <algorithm>
#include <cmath>

#include "engine/render_plan.hpp"

namespace reverie {

MasterBus::MasterBus(double sampleRate, int lookaheadFrames, float releaseFrames, float ceiling,
                     int maxBlockFrames)
    : busLeft_(static_cast<std::size_t>(maxBlockFrames)),
      busRight_(static_cast<std::size_t>(maxBlockFrames)) {
  limiter_.prepare(sampleRate, lookaheadFrames, releaseFrames, ceiling);
}

void MasterBus::begin(const RenderPlan* plan, float* left, float* right) noexcept {
  plan_ = plan;
  left_ = left;
  right_ = right;
}

void MasterBus::renderPart(int first, int frames) noexcept {
  clear(first, frames);
  // In step order, as the whole block sums them.
  if (plan_ != nullptr)
    for (int s : plan_->outputSteps)
      add(plan_->inputs.data() + plan_->steps[static_cast<std::size_t>(s)].firstInput, first,
          frames);
  limit(first, frames);
}

void MasterBus::clear(int first, int frames) noexcept {
  std::fill_n(busLeft_.data() + first, frames, 0.0f);
  std::fill_n(busRight_.data() + first, frames, 0.0f);
}

void MasterBus::add(const float* const* inputs, int first, int frames) noexcept {
  float* busLeft = busLeft_.data() + first;
  float* busRight = busRight_.data() + first;
  const float* inLeft = inputs[0] + first;
  const float* inRight = inputs[1] + first;
  for (int i = 0; i < frames; ++i) {
    busLeft[i] += inLeft[i];
    busRight[i] += inRight[i];
  }
}

void MasterBus::limit(int first, int frames) noexcept {
  // Nothing non-finite gets through, and no true peak over the ceiling.
  const float* busLeft = busLeft_.data() + first;
  const float* busRight = busRight_.data() + first;
  float* left = left_ + first;
  float* right = right_ + first;
  for (int i = 0; i < frames; ++i) {
    left[i] = busLeft[i];
    right[i] = busRight[i];
    if (!std::isfinite(left[i])) {
      left[i] = 0.0f;
      ++nonFinite_;
    }
    if (!std::isfinite(right[i])) {
      right[i] = 0.0f;
      ++nonFinite_;
    }
  }
  limiter_.processBlock(left, right, frames);
}

std::uint64_t MasterBus::takeNonFinite() noexcept {
  const std::uint64_t count = nonFinite_;
  nonFinite_ = 0;
  return count;
}

}  // namespace reverie
