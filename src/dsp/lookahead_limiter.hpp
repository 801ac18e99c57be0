// Stereo-linked look-ahead peak limiter: the output never exceeds the ceiling.
#pragma once

#include <array>
#include <cmath>

namespace reverie::dsp {

/// The required gain min(1, ceiling/|x|) is held for L samples (sliding minimum), released
/// with a one-pole, then smoothed by an L-sample moving average. The average of L values that
/// are each at most the gain a sample needs is itself at most that gain, so applying it to the
/// input delayed by L-1 samples keeps every sample under the ceiling with no instant gain jumps.
/// Per-sample, so the result does not depend on how the stream is cut into blocks.
class LookaheadLimiter {
 public:
  static constexpr int kMaxLookahead = 1024;

  /// Control thread. lookaheadFrames in 1..kMaxLookahead; release time constant in samples.
  void prepare(int lookaheadFrames, float releaseFrames, float ceiling) {
    length_ = lookaheadFrames < 1 ? 1 : (lookaheadFrames > kMaxLookahead ? kMaxLookahead : lookaheadFrames);
    releaseCoef_ = releaseFrames < 1.0f ? 1.0f : 1.0f - std::exp(-1.0f / releaseFrames);
    ceiling_ = ceiling;
    reset();
  }
  void reset() {
    delayL_.fill(0.0f);
    delayR_.fill(0.0f);
    gains_.fill(1.0f);
    sum_ = static_cast<double>(length_);
    envelope_ = 1.0f;
    position_ = 0;
    dequeHead_ = dequeTail_ = 0;
  }
  int latencyFrames() const { return length_ - 1; }
  float ceiling() const { return ceiling_; }
  /// The gain applied to the most recent output sample (1 = no reduction).
  float currentGain() const { return static_cast<float>(sum_ / length_); }

  /// Processes one stereo frame in place.
  void process(float& left, float& right) {
    const float peak = std::fmax(std::fabs(left), std::fabs(right));
    const float required = peak > ceiling_ ? ceiling_ / peak : 1.0f;
    const long n = position_;
    // Sliding minimum over the last L required gains (monotonic deque in a ring).
    while (dequeTail_ != dequeHead_ && dequeValue_[(dequeTail_ - 1) & kMask] >= required)
      --dequeTail_;
    dequeValue_[dequeTail_ & kMask] = required;
    dequeIndex_[dequeTail_ & kMask] = n;
    ++dequeTail_;
    if (dequeIndex_[dequeHead_ & kMask] <= n - length_) ++dequeHead_;
    const float held = dequeValue_[dequeHead_ & kMask];
    // Instant attack into the hold, smooth release out of it.
    envelope_ += (1.0f - envelope_) * releaseCoef_;
    if (held < envelope_) envelope_ = held;
    // Moving average over L samples.
    const int slot = static_cast<int>(n % length_);
    sum_ += static_cast<double>(envelope_) - static_cast<double>(gains_[static_cast<size_t>(slot)]);
    gains_[static_cast<size_t>(slot)] = envelope_;
    const float gain = static_cast<float>(sum_ / length_);
    // Delay the audio by L-1 samples: read the oldest of the last L inputs.
    delayL_[static_cast<size_t>(slot)] = left;
    delayR_[static_cast<size_t>(slot)] = right;
    const int oldest = static_cast<int>((n + 1) % length_);
    left = clamp(delayL_[static_cast<size_t>(oldest)] * gain);
    right = clamp(delayR_[static_cast<size_t>(oldest)] * gain);
    ++position_;
  }

 private:
  static constexpr long kMask = 2 * kMaxLookahead - 1;
  float clamp(float x) const { return x > ceiling_ ? ceiling_ : (x < -ceiling_ ? -ceiling_ : x); }

  std::array<float, kMaxLookahead> delayL_{};
  std::array<float, kMaxLookahead> delayR_{};
  std::array<float, kMaxLookahead> gains_{};
  std::array<float, 2 * kMaxLookahead> dequeValue_{};
  std::array<long, 2 * kMaxLookahead> dequeIndex_{};
  long dequeHead_ = 0, dequeTail_ = 0;
  long position_ = 0;
  double sum_ = 1.0;
  float envelope_ = 1.0f;
  float releaseCoef_ = 1.0f;
  float ceiling_ = 1.0f;
  int length_ = 1;
};

}  // namespace reverie::dsp
