// The gain computer of a look-ahead limiter: the gain each frame needs, reached smoothly in time.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>

namespace reverie::dsp {

/// Feed it the gain each new frame requires (min(1, ceiling/peak)); it returns the gain for the
/// frame `latencyFrames()` earlier. The required gain is held for L + 2H frames (sliding
/// minimum), released with a one-pole that may only fall instantly, then averaged over L frames.
/// Every L-frame window that starts at or after frame m and ends within L + 2H - 1 frames after
/// it averages values at or below the gain m required, so the gain applied to every frame from
/// m - H to m + H, L - 1 + H frames late, meets m's ceiling, and arrives as a smooth L-frame
/// ramp instead of a step. H is for peaks between samples: an interpolator that reconstructs
/// them from H samples either side must see all of them turned down alike. Fixed arrays: safe
/// on the audio thread.
class LookaheadGain {
 public:
  static constexpr int kMaxLookahead = 1024;
  static constexpr int kMaxHold = 64;

  /// lookaheadFrames in 1..kMaxLookahead; release time constant in frames; holdFrames (H) in
  /// 0..kMaxHold.
  void prepare(int lookaheadFrames, double releaseFrames, int holdFrames = 0) {
    length_ = std::clamp(lookaheadFrames, 1, kMaxLookahead);
    hold_ = std::clamp(holdFrames, 0, kMaxHold);
    releaseCoef_ = releaseFrames < 1.0 ? 1.0 : 1.0 - std::exp(-1.0 / releaseFrames);
    reset();
  }
  void reset() {
    window_.fill(1.0);
    sum_ = static_cast<double>(length_);
    envelope_ = 1.0;
    frame_ = 0;
    slot_ = 0;
    head_ = tail_ = 0;
  }
  int latencyFrames() const { return length_ - 1 + hold_; }
  /// The gain returned by the last next() (1 = no reduction).
  float current() const { return static_cast<float>(sum_ / length_); }

  float next(double required) {
    // Sliding minimum over the last L + 2H required gains: a monotonic deque in a ring.
    while (tail_ != head_ && minimumValue_[(tail_ - 1) & kMask] >= required) --tail_;
    minimumValue_[tail_ & kMask] = required;
    minimumFrame_[tail_ & kMask] = frame_;
    ++tail_;
    if (minimumFrame_[head_ & kMask] + length_ + 2 * hold_ <= frame_) ++head_;
    envelope_ = smaller(minimumValue_[head_ & kMask], envelope_ + releaseCoef_ * (1.0 - envelope_));
    // Moving average over L frames.
    double& oldest = window_[static_cast<std::size_t>(slot_)];
    sum_ += envelope_ - oldest;
    oldest = envelope_;
    slot_ = slot_ + 1 == length_ ? 0 : slot_ + 1;
    ++frame_;
    return static_cast<float>(sum_ / length_);
  }

 private:
  // std::fmin without the library call GCC makes for it (its NaN rule rules out one minsd): the
  // smaller of two numbers, or the one that is a number.
  static double smaller(double a, double b) { return b < a || a != a ? b : a; }

  static constexpr long kMask = 2 * kMaxLookahead - 1;  // holds L + 2H <= 2 kMaxLookahead
  std::array<double, kMaxLookahead> window_{};
  std::array<double, 2 * kMaxLookahead> minimumValue_{};
  std::array<long, 2 * kMaxLookahead> minimumFrame_{};
  long head_ = 0, tail_ = 0, frame_ = 0;
  double sum_ = 1.0;
  double envelope_ = 1.0;
  double releaseCoef_ = 1.0;
  int length_ = 1;
  int hold_ = 0;
  int slot_ = 0;  // the moving average's oldest entry
};

}  // namespace reverie::dsp
