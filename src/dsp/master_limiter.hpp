// The master bus's limiter: stereo-linked, look-ahead, true-peak, streaming on the audio thread;
// no peak, between samples or on one, leaves above the ceiling. (Offline normalisation has its
// own whole-buffer form, io/offline_peak_limiter.hpp.)
#pragma once

#include <algorithm>
#include <array>
#include <cmath>

#include "dsp/lookahead_gain.hpp"
#include "dsp/true_peak_detector.hpp"

namespace reverie::dsp {

/// Streams one frame at a time. Each channel's true-peak detector (BS.1770-4 oversampling)
/// finds the highest reconstructed peak around each frame; the gain computer turns that into a
/// gain that has already come down when the frame, delayed by `latencyFrames()`, comes out, and
/// stays down for the interpolator's span either side of it, so the reconstructed waveform
/// between the output samples meets the ceiling too. Per frame, so block sizes cannot change the
/// result. Fixed arrays: prepare and process never allocate.
class MasterLimiter {
 public:
  /// Largest delay: look-ahead, the detector's latency and the hold either side of a peak.
  static constexpr int kMaxDelay = 2048;
  static_assert(LookaheadGain::kMaxLookahead + 2 * TruePeakDetector::kTapsPerPhase < kMaxDelay);

  /// Control thread. lookaheadFrames in 1..LookaheadGain::kMaxLookahead; the ceiling is linear,
  /// on true peaks.
  void prepare(double sampleRate, int lookaheadFrames, float releaseFrames, float ceiling) {
    detectorL_.prepare(sampleRate);
    detectorR_.prepare(sampleRate);
    const int span = detectorL_.latencyFrames();
    gain_.prepare(lookaheadFrames, releaseFrames, span);
    latency_ = span + gain_.latencyFrames();
    ceiling_ = ceiling;
    threshold_ = ceiling * kThresholdMargin;
    delayL_.fill(0.0f);
    delayR_.fill(0.0f);
    position_ = 0;
  }
  int latencyFrames() const { return latency_; }
  /// The gain applied to the most recent output frame (1 = no reduction).
  float currentGain() const { return gain_.current(); }

  /// Processes one stereo frame in place.
  void process(float& left, float& right) {
    limitFrame(std::max(detectorL_.next(left), detectorR_.next(right)), left, right);
  }
  /// Processes `frames` stereo frames in place, to the bit as process() one at a time would:
  /// the detectors take a run of frames at once, then the gain follows frame by frame.
  void processBlock(float* left, float* right, int frames) {
    constexpr int kRun = 256;
    float peakL[kRun], peakR[kRun];
    for (int done = 0; done < frames; done += kRun) {
      const int count = std::min(kRun, frames - done);
      detectorL_.nextBlock(left + done, 1, peakL, count);
      detectorR_.nextBlock(right + done, 1, peakR, count);
      for (int i = 0; i < count; ++i)
        limitFrame(std::max(peakL[i], peakR[i]), left[done + i], right[done + i]);
    }
  }

 private:
  static constexpr int kMask = kMaxDelay - 1;
  // 0.02 dB under the ceiling: float rounding here, in other meters and in 16-bit dither.
  static constexpr float kThresholdMargin = 0.9977f;
  static_assert((kMaxDelay & kMask) == 0, "the delay ring is indexed with a mask");

  // Guards only the last bit of rounding in the gain's running sum.
  float clamp(float x) const { return std::clamp(x, -ceiling_, ceiling_); }
  // The gain for a frame whose true peak is `peak`, and the frame `latency_` earlier out.
  void limitFrame(float peak, float& left, float& right) {
    const float gain = gain_.next(peak > threshold_ ? threshold_ / peak : 1.0f);
    delayL_[static_cast<std::size_t>(position_)] = left;
    delayR_[static_cast<std::size_t>(position_)] = right;
    const std::size_t oldest = static_cast<std::size_t>((position_ - latency_) & kMask);
    position_ = (position_ + 1) & kMask;
    left = clamp(delayL_[oldest] * gain);
    right = clamp(delayR_[oldest] * gain);
  }

  TruePeakDetector detectorL_;
  TruePeakDetector detectorR_;
  LookaheadGain gain_;
  std::array<float, kMaxDelay> delayL_{};
  std::array<float, kMaxDelay> delayR_{};
  int position_ = 0;
  int latency_ = 0;
  float ceiling_ = 1.0f;
  float threshold_ = 1.0f;
};

}  // namespace reverie::dsp
