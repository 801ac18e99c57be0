// Ringing modes in a reverberation tail: spectral peaks that stand above their neighbours.
#include "support/tail_ringing.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

#include "support/fft.hpp"

namespace reverie::test {

RingingReport findRinging(std::span<const float> tail, double sampleRate, double t60Seconds,
                          double lowHz, double highHz, std::size_t segmentFrames) {
  const std::span<const float> channels[] = {tail};
  return findRinging(channels, sampleRate, t60Seconds, lowHz, highHz, segmentFrames);
}

RingingReport findRinging(std::span<const std::span<const float>> channels, double sampleRate,
                          double t60Seconds, double lowHz, double highHz,
                          std::size_t segmentFrames) {
  RealFft fft(segmentFrames);
  const std::vector<double> window = windowCoefficients(Window::kHann, segmentFrames);
  std::vector<double> power(fft.binCount(), 0.0);
  std::vector<double> segment(segmentFrames);
  std::vector<std::complex<double>> bins(fft.binCount());
  std::size_t segments = 0;
  for (const std::span<const float> tail : channels) {
    std::vector<double> flat(tail.size());
    for (std::size_t n = 0; n < tail.size(); ++n)
      flat[n] = tail[n] * std::pow(10.0, 3.0 * (static_cast<double>(n) / sampleRate) / t60Seconds);
    for (std::size_t start = 0; start + segmentFrames <= flat.size(); start += segmentFrames / 2) {
      for (std::size_t n = 0; n < segmentFrames; ++n) segment[n] = flat[start + n] * window[n];
      fft.forward(segment, bins);
      for (std::size_t k = 0; k < bins.size(); ++k) power[k] += std::norm(bins[k]);
      ++segments;
    }
  }
  RingingReport report{-1e300, 0.0};
  if (segments == 0) return report;

  const double binHz = sampleRate / static_cast<double>(segmentFrames);
  const double sixthOctave = std::exp2(1.0 / 6.0);
  std::vector<double> neighbours;
  for (std::size_t k = static_cast<std::size_t>(std::ceil(lowHz / binHz));
       k < power.size() && static_cast<double>(k) * binHz <= highHz; ++k) {
    const double hz = static_cast<double>(k) * binHz;
    const std::size_t first = static_cast<std::size_t>(std::floor(hz / sixthOctave / binHz));
    const std::size_t last =
        std::min(power.size() - 1, static_cast<std::size_t>(std::ceil(hz * sixthOctave / binHz)));
    neighbours.assign(power.begin() + static_cast<long>(first),
                      power.begin() + static_cast<long>(last) + 1);
    auto middle = neighbours.begin() + static_cast<long>(neighbours.size() / 2);
    std::nth_element(neighbours.begin(), middle, neighbours.end());
    const double excessDb = 10.0 * std::log10(power[k] / std::max(*middle, 1e-300));
    if (excessDb > report.worstExcessDb) report = {excessDb, hz};
  }
  return report;
}

}  // namespace reverie::test
