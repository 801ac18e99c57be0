// The offline normaliser's limiter: look-ahead, true-peak, over a whole interleaved buffer in
// place; no peak leaves above the ceiling, and nothing moves in time. (The live master bus has
// its own streaming form, dsp/master_limiter.hpp.)
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "dsp/lookahead_gain.hpp"
#include "dsp/true_peak_detector.hpp"

namespace reverie::io {

struct LimiterTiming {
  double lookAheadSeconds = 0.0015;  ///< also the attack: the gain is down by the time the peak is
  double releaseSeconds = 0.06;      ///< time constant of the recovery towards unity
};

/// Lowers the gain of `frames` interleaved frames in place so no true peak (BS.1770-4
/// oversampled, the signal taken as silent before and after) exceeds `ceiling` (linear). One
/// gain for all channels, so the stereo image holds. Audio already under the ceiling is left
/// bit-identical. Control thread: allocates.
///
/// The master bus limiter's pieces (dsp::TruePeakDetector per channel, dsp::LookaheadGain),
/// arranged for a whole buffer: the gain is applied in place, `delay` frames behind the
/// detection, instead of through a delay line.
inline void limitPeaks(float* interleaved, std::size_t frames, int channels, double sampleRate,
                       float ceiling, LimiterTiming timing = {}) {
  const std::size_t width = static_cast<std::size_t>(channels);
  std::vector<dsp::TruePeakDetector> detectors(width);
  for (dsp::TruePeakDetector& detector : detectors) detector.prepare(sampleRate);
  const std::size_t span = static_cast<std::size_t>(detectors.front().latencyFrames());
  // Feeds frame n (silence past the end) and returns the true peak of frame n - span.
  auto peakBefore = [&](std::size_t n) {
    float peak = 0.0f;
    for (std::size_t c = 0; c < width; ++c) {
      peak = std::max(peak, detectors[c].next(n < frames ? interleaved[n * width + c] : 0.0f));
    }
    return peak;
  };
  bool anyOver = false;
  for (std::size_t n = 0; n < frames + span && !anyOver; ++n) anyOver = peakBefore(n) > ceiling;
  if (!anyOver) return;
  for (dsp::TruePeakDetector& detector : detectors) detector.reset();

  auto computer = std::make_unique<dsp::LookaheadGain>();
  computer->prepare(static_cast<int>(std::lround(timing.lookAheadSeconds * sampleRate)),
                    timing.releaseSeconds * sampleRate, static_cast<int>(span));
  const std::size_t delay = span + static_cast<std::size_t>(computer->latencyFrames());
  // Running on for `delay` frames past the end flushes the tail.
  for (std::size_t n = 0; n < frames + delay; ++n) {
    const float peak = peakBefore(n);
    const float gain = computer->next(peak > ceiling ? static_cast<double>(ceiling) / peak : 1.0);
    if (n < delay) continue;
    // The clamp only guards the last bit of rounding in the running sum and the float product.
    float* frame = interleaved + (n - delay) * width;
    for (std::size_t c = 0; c < width; ++c)
      frame[c] = std::clamp(frame[c] * gain, -ceiling, ceiling);
  }
}

}  // namespace reverie::io
