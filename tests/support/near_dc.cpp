// The strongest content below a few hertz, frame by frame.
#include "support/near_dc.hpp"

#include <algorithm>
#include <cmath>

#include "support/fft.hpp"

namespace reverie::test {

double nearDcPeakDbfs(std::span<const float> signal, double sampleRate, double belowHz) {
  constexpr std::size_t kFrame = 1u << 17;
  const std::size_t length = std::min(kFrame, signal.size());
  if (length == 0) return -200.0;
  const auto lastBin = static_cast<std::size_t>(belowHz * static_cast<double>(kFrame) / sampleRate);
  double peak = 0.0;
  for (std::size_t start = 0;; start += kFrame / 2) {
    const std::size_t begin = std::min(start, signal.size() - length);
    const std::vector<double> magnitudes =
        magnitudeSpectrum(signal.subspan(begin, length), Window::kBlackmanHarris, kFrame);
    peak = std::max(peak, 0.5 * magnitudes[0]);  // the scaling reads an offset twice
    for (std::size_t k = 1; k <= lastBin && k < magnitudes.size(); ++k)
      peak = std::max(peak, magnitudes[k]);
    if (begin + length >= signal.size()) break;
  }
  return peak > 0.0 ? 20.0 * std::log10(peak) : -200.0;
}

}  // namespace reverie::test
