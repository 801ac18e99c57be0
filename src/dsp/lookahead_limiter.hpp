// Stereo-linked look-ahead peak limiter for the master bus: the output never exceeds the ceiling.
#pragma once

#include <array>
#include <cmath>

#include "dsp/lookahead_gain.hpp"

namespace reverie::dsp {

/// Streams one frame at a time, delaying the audio by the gain computer's latency so each peak
/// meets a gain that has already come down. Per frame, so block sizes cannot change the result.
class LookaheadLimiter {
 public:
  /// Control thread. lookaheadFrames in 1..LookaheadGain::kMaxLookahead.
  void prepare(int lookaheadFrames, float releaseFrames, float ceiling) {
    gain_.prepare(lookaheadFrames, releaseFrames);
    ceiling_ = ceiling;
    delayL_.fill(0.0f);
    delayR_.fill(0.0f);
    position_ = 0;
  }
  int latencyFrames() const { return gain_.latencyFrames(); }
  /// The gain applied to the most recent output frame (1 = no reduction).
  float currentGain() const { return gain_.current(); }

  /// Processes one stereo frame in place.
  void process(float& left, float& right) {
    const float peak = std::fmax(std::fabs(left), std::fabs(right));
    const float gain = gain_.next(peak > ceiling_ ? ceiling_ / peak : 1.0f);
    // Keep the last L inputs; the oldest of them is the frame this gain belongs to.
    const int length = gain_.length();
    const std::size_t slot = static_cast<std::size_t>(position_ % length);
    const std::size_t oldest = static_cast<std::size_t>((position_ + 1) % length);
    delayL_[slot] = left;
    delayR_[slot] = right;
    left = clamp(delayL_[oldest] * gain);
    right = clamp(delayR_[oldest] * gain);
    ++position_;
  }

 private:
  // Guards only the last bit of rounding in the gain's running sum.
  float clamp(float x) const { return x > ceiling_ ? ceiling_ : (x < -ceiling_ ? -ceiling_ : x); }

  LookaheadGain gain_;
  std::array<float, LookaheadGain::kMaxLookahead> delayL_{};
  std::array<float, LookaheadGain::kMaxLookahead> delayR_{};
  long position_ = 0;
  float ceiling_ = 1.0f;
};

}  // namespace reverie::dsp
