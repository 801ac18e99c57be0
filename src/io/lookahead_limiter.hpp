// Offline look-ahead peak limiter: no sample leaves above the ceiling, and nothing moves in time.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <utility>

#include "dsp/lookahead_gain.hpp"

namespace reverie::io {

struct LimiterTiming {
  double lookAheadSeconds = 0.0015;  ///< also the attack: the gain is down by the time the peak is
  double releaseSeconds = 0.06;      ///< time constant of the recovery towards unity
};

/// Lowers the gain of `frames` interleaved frames in place so no sample exceeds `ceiling`
/// (linear). One gain for all channels, so the stereo image holds. Audio already under the
/// ceiling is left bit-identical. Control thread: allocates.
///
/// The gain that frame needs, min(1, ceiling / max|x|), is shaped by dsp::LookaheadGain.
inline void limitPeaks(float* interleaved, std::size_t frames, int channels, double sampleRate,
                       float ceiling, LimiterTiming timing = {}) {
  const std::size_t width = static_cast<std::size_t>(channels);
  auto peakOf = [&](std::size_t frame) {
    float peak = 0.0f;
    for (std::size_t c = 0; c < width; ++c) {
      peak = std::max(peak, std::fabs(interleaved[frame * width + c]));
    }
    return peak;
  };
  bool anyOver = false;
  for (std::size_t n = 0; n < frames && !anyOver; ++n) anyOver = peakOf(n) > ceiling;
  if (!anyOver) return;

  // The gain computer is the master bus limiter's (dsp::LookaheadGain); offline, the audio
  // needs no delay line: the gain for frame n - delay is applied to the buffer in place.
  auto computer = std::make_unique<dsp::LookaheadGain>();
  computer->prepare(static_cast<int>(std::lround(timing.lookAheadSeconds * sampleRate)),
                    timing.releaseSeconds * sampleRate);
  const std::size_t delay = static_cast<std::size_t>(computer->latencyFrames());
  // Frames past the end need no reduction (r = 1); running on for `delay` frames flushes the tail.
  for (std::size_t n = 0; n < frames + delay; ++n) {
    double required = 1.0;
    if (n < frames) {
      const float peak = peakOf(n);
      if (peak > ceiling) required = static_cast<double>(ceiling) / peak;
    }
    const float gain = computer->next(required);
    if (n < delay) continue;
    // The clamp only guards the last bit of rounding in the running sum and the float product.
    float* frame = interleaved + (n - delay) * width;
    for (std::size_t c = 0; c < width; ++c) frame[c] = std::clamp(frame[c] * gain, -ceiling, ceiling);
  }
}

}  // namespace reverie::io
