// Inter-sample peak detection for one channel: a polyphase windowed-sinc interpolator.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

#include "dsp/float4.hpp"
#include "dsp/math_constants.hpp"

namespace reverie::dsp {

/// Streams one sample at a time and reports, `latencyFrames()` samples later, the highest
/// magnitude of the reconstructed waveform over [n, n + 1): the sample itself and the points
/// interpolated between it and the next one. Oversampling follows ITU-R BS.1770-4 Annex 2: 4x
/// below 96 kHz, 2x below 192 kHz, none from 192 kHz up. Fixed arrays: never allocates.
class TruePeakDetector {
 public:
  static constexpr int kTapsPerPhase = 12;
  static constexpr int kMaxFactor = 4;  // one Float4 lane per phase

  /// The oversampling factor BS.1770-4 asks for at this rate.
  static int factorFor(double sampleRate) {
    return sampleRate < 96000.0 ? 4 : (sampleRate < 192000.0 ? 2 : 1);
  }

  /// Control thread: designs the interpolator for this rate and clears the history.
  void prepare(double sampleRate) {
    factor_ = factorFor(sampleRate);
    coefficients_.fill(Float4{});
    // Phase 0 is the sample itself, in the middle of the span: an exact pass-through.
    coefficients_[kTapsPerPhase / 2 - 1][0] = 1.0f;
    // Phase k interpolates at n + k/factor from the samples n - H + 1 .. n + H (H = taps / 2):
    // a sinc band-limited at the original Nyquist under a Hann window H samples wide each way,
    // the 12 taps per phase of BS.1770-4's example. It reads what libebur128's meter reads (the
    // same window and span), so a file this limiter passes passes there. Like every 4x meter it
    // can miss up to 0.7 dB of a peak near Nyquist that falls between its points (BS.1770-4).
    constexpr int half = kTapsPerPhase / 2;
    for (int k = 1; k < factor_; ++k) {
      const double offset = static_cast<double>(k) / factor_;
      for (int i = 0; i < kTapsPerPhase; ++i) {
        const double t = static_cast<double>(i - half + 1) - offset;
        const double window = 0.5 * (1.0 + std::cos(kPi * t / half));
        coefficients_[static_cast<std::size_t>(i)][k] =
            static_cast<float>(std::sin(kPi * t) / (kPi * t) * window);
      }
    }
    reset();
  }
  void reset() {
    history_.fill(0.0f);
    position_ = 0;
  }
  int factor() const { return factor_; }
  /// Samples between an input and the report of its peak: half the interpolator's span.
  int latencyFrames() const { return factor_ > 1 ? kTapsPerPhase / 2 : 0; }

  /// Takes sample n and returns the peak magnitude over [n - latency, n - latency + 1).
  float next(float x) {
    if (factor_ == 1) return std::fabs(x);
    // Each sample is stored twice, so the last kTapsPerPhase samples are always contiguous.
    history_[static_cast<std::size_t>(position_)] = x;
    history_[static_cast<std::size_t>(position_ + kTapsPerPhase)] = x;
    position_ = position_ + 1 == kTapsPerPhase ? 0 : position_ + 1;
    return peakOf(history_.data() + position_);
  }

  /// next() for each of `frames` samples x[0], x[stride], x[2 stride], ...: peaks[i] is what
  /// next(x[i * stride]) would return, to the bit. Four frames at a time, one lane a frame, so
  /// no lane is idle and no lanes are gathered into one.
  void nextBlock(const float* x, std::ptrdiff_t stride, float* peaks, int frames) {
    if (factor_ == 1) {
      for (int i = 0; i < frames; ++i) peaks[i] = std::fabs(x[i * stride]);
      return;
    }
    // The samples before the chunk the first frame's window reaches back to, then the chunk.
    constexpr int kBefore = kTapsPerPhase - 1;
    constexpr int kChunk = 64;
    float line[kBefore + kChunk];
    for (int done = 0; done < frames; done += kChunk) {
      const int count = std::min(kChunk, frames - done);
      std::copy_n(history_.data() + position_ + 1, kBefore, line);
      for (int i = 0; i < count; ++i) line[kBefore + i] = x[(done + i) * stride];
      int i = 0;
      for (; i + 4 <= count; i += 4) store4(peaks + done + i, peaksOfFour(line + i));
      for (; i < count; ++i) peaks[done + i] = peakOf(line + i);
      // The last kTapsPerPhase samples, oldest first, twice, as next() keeps them.
      std::copy_n(line + count - 1, kTapsPerPhase, history_.data());
      std::copy_n(line + count - 1, kTapsPerPhase, history_.data() + kTapsPerPhase);
      position_ = 0;
    }
  }

 private:
  static_assert(kTapsPerPhase % 4 == 0, "the taps are summed in four chains");

  // The peak of the frame whose window (kTapsPerPhase samples, oldest first) starts at `recent`:
  // one lane a phase, in four independent sums to keep the adder busy.
  float peakOf(const float* recent) const {
    Float4 sums[4] = {};
    for (int i = 0; i < kTapsPerPhase; i += 4) {
      for (int c = 0; c < 4; ++c) {
        sums[c] += coefficients_[static_cast<std::size_t>(i + c)] * recent[i + c];
      }
    }
    const Float4 points = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    const Float4 magnitudes = points < 0.0f ? -points : points;
    return std::max(std::max(magnitudes[0], magnitudes[1]), std::max(magnitudes[2], magnitudes[3]));
  }
  // peakOf for the four frames whose windows start at line[0..3], one lane a frame: each lane
  // does what peakOf does for its frame, in the same order, so the results are the same bits.
  Float4 peaksOfFour(const float* line) const {
    Float4 window[kTapsPerPhase];
    for (int j = 0; j < kTapsPerPhase; ++j) window[j] = load4(line + j);
    Float4 magnitude[kMaxFactor];
    for (int phase = 0; phase < kMaxFactor; ++phase) {
      Float4 sums[4] = {};
      for (int i = 0; i < kTapsPerPhase; i += 4) {
        for (int c = 0; c < 4; ++c) {
          sums[c] += coefficients_[static_cast<std::size_t>(i + c)][phase] * window[i + c];
        }
      }
      const Float4 points = (sums[0] + sums[1]) + (sums[2] + sums[3]);
      magnitude[phase] = points < 0.0f ? -points : points;
    }
    // std::max(a, b) is a < b ? b : a, lane by lane, in peakOf's order.
    const auto larger = [](Float4 a, Float4 b) { return a < b ? b : a; };
    return larger(larger(magnitude[0], magnitude[1]), larger(magnitude[2], magnitude[3]));
  }

  std::array<Float4, kTapsPerPhase> coefficients_{};  // per tap, one lane per phase
  std::array<float, 2 * kTapsPerPhase> history_{};
  int position_ = 0;
  int factor_ = 1;
};

}  // namespace reverie::dsp
