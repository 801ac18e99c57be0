// Note onsets found by spectral flux: where many bins grow louder at once.
#include "support/onsets.hpp"

#include <algorithm>
#include <cmath>

#include "support/sample_statistics.hpp"
#include "support/stft.hpp"

namespace reverie::test {
namespace {

// ln(1 + 1000 |X| / peak), the compression of Boeck, Krebs & Schedl (ISMIR 2012): rises count
// in log steps down to 60 dB under the peak, and quieter bins hardly count at all.
constexpr double kCompression = 1000.0;
constexpr long kLocalMaximumHops = 2;
constexpr std::size_t kLagHops = 2;
constexpr std::size_t kLookBackHops = 2;

std::vector<double> movingMedian(const std::vector<double>& values, std::size_t halfLength) {
  std::vector<double> out(values.size()), window;
  for (std::size_t t = 0; t < values.size(); ++t) {
    const std::size_t begin = t >= halfLength ? t - halfLength : 0;
    const std::size_t end = std::min(values.size(), t + halfLength + 1);
    window.assign(values.begin() + static_cast<std::ptrdiff_t>(begin),
                  values.begin() + static_cast<std::ptrdiff_t>(end));
    const auto middle = window.begin() + static_cast<std::ptrdiff_t>(window.size() / 2);
    std::nth_element(window.begin(), middle, window.end());
    out[t] = *middle;
  }
  return out;
}

// Per frame, ln(1 + sum over bins of the rise of ln(1 + 1000 |X| / peak)) above a reference:
// SuperFlux (Boeck & Widmer, DAFx 2013) takes the maximum over +-1 bin of a frame kLagHops
// earlier, so noise that merely fluctuates from bin to bin adds little; the maximum over
// kLookBackHops more frames also absorbs the fast beating of partials sharing a few bins.
std::vector<double> detectionFunction(std::span<const float> signal, const StftSettings& settings,
                                      double peak, std::vector<double>& frameStarts) {
  const std::size_t bins = settings.frameSize / 2 + 1, history = kLagHops + kLookBackHops;
  std::vector<std::vector<double>> spread(history, std::vector<double>(bins, 0.0));
  std::vector<double> current(bins), reference(bins), detection;
  std::size_t frame = 0;
  forEachFrame(signal, settings, [&](long start, std::span<const double> magnitudes) {
    // Frames before the first are silence: their slots start at zero.
    std::fill(reference.begin(), reference.end(), 0.0);
    for (std::size_t back = kLagHops; back <= history && back <= frame; ++back) {
      const std::vector<double>& earlier = spread[(frame - back) % history];
      for (std::size_t k = 0; k < bins; ++k) reference[k] = std::max(reference[k], earlier[k]);
    }
    double flux = 0.0;
    for (std::size_t k = 0; k < bins; ++k) {
      current[k] = std::log1p(kCompression * magnitudes[k] / peak);
      flux += std::max(0.0, current[k] - reference[k]);
    }
    std::vector<double>& slot = spread[frame % history];
    for (std::size_t k = 0; k < bins; ++k) {
      slot[k] =
          std::max({current[k], current[k > 0 ? k - 1 : k], current[k + 1 < bins ? k + 1 : k]});
    }
    ++frame;
    detection.push_back(std::log1p(flux));
    frameStarts.push_back(static_cast<double>(start));
  });
  return detection;
}

}  // namespace

std::vector<double> onsetTimes(std::span<const float> signal, double sampleRate,
                               const OnsetOptions& options) {
  const double peak = peakAbs(signal);
  if (peak <= 0.0f) return {};
  StftSettings settings;
  settings.frameSize = framesForSeconds(options.frameSeconds, sampleRate);
  settings.hop = std::max<std::size_t>(1, settings.frameSize / 4);
  // Start while the frame holds only the first hop, so an onset at sample 0 is seen arriving.
  settings.leadIn = settings.frameSize - settings.hop;

  std::vector<double> frameStarts;
  const std::vector<double> detection = detectionFunction(signal, settings, peak, frameStarts);

  const double hopSeconds = static_cast<double>(settings.hop) / sampleRate;
  const std::vector<double> median = movingMedian(
      detection, static_cast<std::size_t>(std::lround(options.medianSeconds / hopSeconds)));
  const long minGapHops = std::lround(options.minGapSeconds / hopSeconds);
  const long frames = static_cast<long>(detection.size());
  std::vector<long> picked;
  for (long t = 0; t < frames; ++t) {
    const double value = detection[static_cast<std::size_t>(t)];
    if (value <= median[static_cast<std::size_t>(t)] + options.thresholdOverMedian) continue;
    bool isLocalMaximum = true;
    for (long u = std::max(0L, t - kLocalMaximumHops);
         u <= std::min(frames - 1, t + kLocalMaximumHops); ++u) {
      // Ties go to the earliest frame of a plateau.
      const double other = detection[static_cast<std::size_t>(u)];
      if (other > value || (other == value && u < t)) isLocalMaximum = false;
    }
    if (!isLocalMaximum) continue;
    if (!picked.empty() && t - picked.back() < minGapHops) {
      if (value > detection[static_cast<std::size_t>(picked.back())]) picked.back() = t;
      continue;
    }
    picked.push_back(t);
  }

  // Log compression makes the flux peak soon after a sound enters the frame's tail, where the
  // window still weighs it lightly; with the two-hop lag that lands the peak with the new
  // sound near the frame's centre (measured on 1 ms attacks: -2 to +5 ms).
  std::vector<double> times;
  const double halfFrame = 0.5 * static_cast<double>(settings.frameSize);
  for (const long t : picked) {
    const double sample = frameStarts[static_cast<std::size_t>(t)] + halfFrame;
    times.push_back(std::max(0.0, sample) / sampleRate);
  }
  return times;
}

}  // namespace reverie::test
