// Offline look-ahead peak limiter: no sample leaves above the ceiling, and nothing moves in time.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <deque>
#include <utility>
#include <vector>

namespace reverie::io {

struct LimiterTiming {
  double lookAheadSeconds = 0.0015;  ///< also the attack: the gain is down by the time the peak is
  double releaseSeconds = 0.06;      ///< time constant of the recovery towards unity
};

/// Lowers the gain of `frames` interleaved frames in place so no sample exceeds `ceiling`
/// (linear). One gain for all channels, so the stereo image holds. Audio already under the
/// ceiling is left bit-identical. Control thread: allocates.
///
/// The required gain r[n] = min(1, ceiling / max|x[n]|) goes through a sliding minimum over the
/// look-ahead L, a one-pole release that can only fall instantly, and an L-sample boxcar. Every
/// boxcar window ending in [m, m + L - 1] averages values that are all at or below r[m], so the
/// gain that reaches frame m, delayed by L - 1 frames, meets the ceiling there, and arrives as a
/// smooth L-sample ramp rather than a step. The output is written L - 1 frames late to cancel
/// that delay.
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

  const std::size_t lookAhead = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::lround(timing.lookAheadSeconds * sampleRate)));
  const std::size_t delay = lookAhead - 1;
  const double release = 1.0 - std::exp(-1.0 / (timing.releaseSeconds * sampleRate));

  std::deque<std::pair<std::size_t, double>> minimumWindow;  // rising gains; front is the minimum
  std::vector<double> boxcar(lookAhead, 1.0);                // frames before the start count as 1
  double boxcarSum = static_cast<double>(lookAhead);
  double envelope = 1.0;

  // Frames past the end need no reduction (r = 1); running on for `delay` frames flushes the tail.
  for (std::size_t n = 0; n < frames + delay; ++n) {
    double required = 1.0;
    if (n < frames) {
      const float peak = peakOf(n);
      if (peak > ceiling) required = static_cast<double>(ceiling) / peak;
    }
    while (!minimumWindow.empty() && minimumWindow.back().second >= required) {
      minimumWindow.pop_back();
    }
    minimumWindow.emplace_back(n, required);
    if (minimumWindow.front().first + lookAhead <= n) minimumWindow.pop_front();

    envelope = std::min(minimumWindow.front().second, envelope + release * (1.0 - envelope));
    double& oldest = boxcar[n % lookAhead];
    boxcarSum += envelope - oldest;
    oldest = envelope;
    if (n < delay) continue;

    // The clamp only guards the last bit of rounding in the running sum and the float product.
    const float gain = static_cast<float>(boxcarSum / static_cast<double>(lookAhead));
    float* frame = interleaved + (n - delay) * width;
    for (std::size_t c = 0; c < width; ++c) {
      frame[c] = std::clamp(frame[c] * gain, -ceiling, ceiling);
    }
  }
}

}  // namespace reverie::io
