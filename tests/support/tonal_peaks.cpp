// Whether a noisy sound hides a steady tone: the averaged spectrum and its most prominent bin.
#include "support/tonal_peaks.hpp"

#include <algorithm>
#include <cmath>

#include "support/stft.hpp"

namespace reverie::test {

AveragedSpectrum averagedSpectrum(std::span<const float> signal, double sampleRate,
                                  double frameSeconds) {
  StftSettings settings;
  settings.frameSize = framesForSeconds(frameSeconds, sampleRate);
  settings.hop = settings.frameSize / 2;
  std::vector<double> power(settings.frameSize / 2 + 1, 0.0);
  int frames = 0;
  forEachFrame(signal, settings, [&](long, std::span<const double> magnitudes) {
    for (std::size_t k = 0; k < power.size(); ++k) power[k] += magnitudes[k] * magnitudes[k];
    ++frames;
  });
  AveragedSpectrum spectrum;
  spectrum.binHz = sampleRate / static_cast<double>(settings.frameSize);
  for (double p : power)
    spectrum.levelDb.push_back(10.0 * std::log10(p / std::max(frames, 1) + 1e-30));
  return spectrum;
}

Prominence largestProminence(const AveragedSpectrum& spectrum, double lowHz, double highHz,
                             double neighbourhoodOctaves) {
  Prominence best{-1e300, 0.0};
  const double ratio = std::exp2(neighbourhoodOctaves);
  std::vector<double> neighbours;
  const std::size_t bins = spectrum.levelDb.size();
  for (std::size_t k = 1; k < bins; ++k) {
    const double hz = static_cast<double>(k) * spectrum.binHz;
    if (hz < lowHz || hz > highHz) continue;
    const auto first =
        static_cast<std::size_t>(std::max(1.0, std::floor(hz / ratio / spectrum.binHz)));
    const auto last =
        std::min(bins - 1, static_cast<std::size_t>(std::ceil(hz * ratio / spectrum.binHz)));
    neighbours.assign(spectrum.levelDb.begin() + static_cast<std::ptrdiff_t>(first),
                      spectrum.levelDb.begin() + static_cast<std::ptrdiff_t>(last) + 1);
    const auto middle = neighbours.begin() + static_cast<std::ptrdiff_t>(neighbours.size() / 2);
    std::nth_element(neighbours.begin(), middle, neighbours.end());
    const double excess = spectrum.levelDb[k] - *middle;
    if (excess > best.excessDb) best = {excess, hz};
  }
  return best;
}

}  // namespace reverie::test
