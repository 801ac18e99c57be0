// The centre of one spectral line, as the power centroid of the bins around it.
#include "support/line_centre.hpp"

#include <cmath>
#include <limits>

#include "support/spectrum_peaks.hpp"

namespace reverie::test {

double lineCentreHz(std::span<const float> signal, double sampleRate, double expectedHz,
                    double halfWidthHz) {
  SpectrumOptions options;
  options.zeroPadding = 2;  // the lobe still spans 16 bins: the sum is a fine integral
  const Spectrum spectrum = analyseSpectrum(signal, sampleRate, options);
  double weighted = 0.0, total = 0.0;
  for (std::size_t k = 0; k < spectrum.levelDb.size(); ++k) {
    const double hz = static_cast<double>(k) * spectrum.binHz;
    if (std::fabs(hz - expectedHz) > halfWidthHz) continue;
    const double power = std::pow(10.0, spectrum.levelDb[k] / 10.0);
    weighted += power * hz;
    total += power;
  }
  return total > 0.0 ? weighted / total : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace reverie::test
