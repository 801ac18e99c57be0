// The master bus of a block: what the output nodes receive, summed, kept for the observer,
// cleared of non-finite samples and limited to the ceiling's true peak.
#pragma once

#include <cstdint>
#include <vector>

#include "dsp/master_limiter.hpp"

namespace reverie {

struct RenderPlan;

/// Rendered whole after the plan, or (in parallel) part by part as the output nodes finish each
/// part, by whoever claims it; parts come in order, each seeing the last one's state. Either way
/// every frame goes through the same sums and the same limiter, so the samples are the same.
class MasterBus {
 public:
  /// Control thread: allocates the bus for blocks of up to `maxBlockFrames`.
  MasterBus(double sampleRate, int lookaheadFrames, float releaseFrames, float ceiling,
            int maxBlockFrames);

  int latencyFrames() const { return limiter_.latencyFrames(); }
  float currentGain() const { return limiter_.currentGain(); }

  /// Audio thread, before any part: where the block goes, and the plan whose output nodes feed
  /// it (null: silence).
  void begin(const RenderPlan* plan, float* left, float* right) noexcept;
  /// Frames [first, first + frames) of the block, from the plan's output nodes' inputs.
  void renderPart(int first, int frames) noexcept;
  // The same in steps, for a plan rendered whole: clear, add each output node's inputs as it
  // renders (a serial plan reuses buffers), limit.
  void clear(int first, int frames) noexcept;
  void add(const float* const* inputs, int first, int frames) noexcept;
  void limit(int first, int frames) noexcept;
  /// Audio thread, after the block: the bus before the limiter.
  const float* busLeft() const noexcept { return busLeft_.data(); }
  const float* busRight() const noexcept { return busRight_.data(); }
  /// Audio thread, after the block: the non-finite samples replaced by silence since last asked.
  std::uint64_t takeNonFinite() noexcept;

 private:
  dsp::MasterLimiter limiter_;
  std::vector<float> busLeft_, busRight_;
  const RenderPlan* plan_ = nullptr;
  float* left_ = nullptr;
  float* right_ = nullptr;
  std::uint64_t nonFinite_ = 0;
};

}  // namespace reverie
