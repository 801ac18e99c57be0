// strongestAmplitudeModulation: a fine DFT scan of the RMS envelope.
#include "support/amplitude_modulation.hpp"

#include <cmath>
#include <vector>

#include "support/sample_statistics.hpp"

namespace reverie::test {

AmplitudeModulation strongestAmplitudeModulation(std::span<const float> signal, double sampleRate,
                                                 double lowHz, double highHz) {
  constexpr double kWindowSeconds = 0.005, kHopSeconds = 0.0025, kStepHz = 0.01;
  const std::vector<double> envelope = rmsEnvelope(signal, sampleRate, kWindowSeconds, kHopSeconds);
  const std::size_t n = envelope.size();
  if (n < 4) return {};
  double mean = 0.0;
  for (double e : envelope) mean += e;
  mean /= static_cast<double>(n);
  if (!(mean > 0.0)) return {};
  // Hann window; its coherent gain is 1/2, so a sinusoid of amplitude A reads |X| = A n / 4.
  std::vector<double> weighted(n);
  for (std::size_t j = 0; j < n; ++j)
    weighted[j] =
        (envelope[j] - mean) *
        (0.5 - 0.5 * std::cos(2.0 * M_PI * static_cast<double>(j) / static_cast<double>(n - 1)));
  auto magnitudeAt = [&](double hz) {
    const double w = 2.0 * M_PI * hz * kHopSeconds;
    double re = 0.0, im = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
      re += weighted[j] * std::cos(w * static_cast<double>(j));
      im -= weighted[j] * std::sin(w * static_cast<double>(j));
    }
    return std::sqrt(re * re + im * im);
  };
  double bestHz = lowHz, best = -1.0;
  for (double hz = lowHz; hz <= highHz; hz += kStepHz) {
    const double m = magnitudeAt(hz);
    if (m > best) best = m, bestHz = hz;
  }
  const double below = magnitudeAt(bestHz - kStepHz), above = magnitudeAt(bestHz + kStepHz);
  const double curvature = below - 2.0 * best + above;
  const double offset = curvature < 0.0 ? 0.5 * (below - above) / curvature : 0.0;
  return {bestHz + offset * kStepHz, best * 4.0 / static_cast<double>(n) / mean};
}

}  // namespace reverie::test
