// Sensory roughness of a sound from its spectral peaks: the Plomp-Levelt dissonance curve.
#include "support/roughness.hpp"

#include <algorithm>
#include <cmath>

namespace reverie::test {
namespace {

// Sethares (1993, and "Tuning, Timbre, Spectrum, Scale", appendix E). His code also scales
// d by 5; the constant is dropped, as it changes no comparison.
constexpr double kDissonanceMaximum = 0.24;  // x*: the interval of greatest roughness, scaled
constexpr double kS1 = 0.0207, kS2 = 18.96;  // critical band ~ s1 f + s2
constexpr double kB1 = 3.5, kB2 = 5.75;      // rise and fall of the curve
constexpr std::size_t kPeaks = 30;
constexpr double kRangeDb = 60.0;

}  // namespace

double pairRoughness(const Peak& first, const Peak& second) {
  const double low = std::min(first.frequencyHz, second.frequencyHz);
  const double difference = std::abs(first.frequencyHz - second.frequencyHz);
  const double scale = kDissonanceMaximum / (kS1 * low + kS2);
  return first.amplitude() * second.amplitude() *
         (std::exp(-kB1 * scale * difference) - std::exp(-kB2 * scale * difference));
}

double roughness(const std::vector<Peak>& peaks) {
  double sum = 0.0;
  for (std::size_t i = 0; i < peaks.size(); ++i) {
    for (std::size_t j = i + 1; j < peaks.size(); ++j) sum += pairRoughness(peaks[i], peaks[j]);
  }
  return sum;
}

double roughness(std::span<const float> signal, double sampleRate) {
  return roughness(spectralPeaks(signal, sampleRate, kPeaks, kRangeDb));
}

}  // namespace reverie::test
