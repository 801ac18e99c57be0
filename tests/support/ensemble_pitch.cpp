// The pitch an ensemble centres on: several detuned players of one note, heard as one.
#include "support/ensemble_pitch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "support/spectrum_peaks.hpp"

namespace reverie::test {

double ensembleCentreHz(std::span<const float> signal, double sampleRate, double f0Hz,
                        double probeHz) {
  const double k = std::max(1.0, std::round(probeHz / f0Hz));
  const Spectrum spectrum = analyseSpectrum(signal, sampleRate);
  const double low = k * f0Hz - f0Hz / 3.0, high = k * f0Hz + f0Hz / 3.0;
  const std::vector<Peak> peaks = findPeaks(spectrum, 1000, 400.0, low, high);
  if (peaks.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0.0;
  int count = 0;
  for (const Peak& p : peaks) {
    if (p.amplitudeDb < peaks.front().amplitudeDb - 15.0) continue;  // strongest first
    sum += p.frequencyHz;
    ++count;
  }
  return sum / count / k;
}

double meanFrequencyHz(std::span<const float> signal, double sampleRate, double lowHz,
                       double highHz) {
  const Spectrum spectrum = analyseSpectrum(signal, sampleRate);
  const auto first = static_cast<std::size_t>(std::max(1.0, std::ceil(lowHz / spectrum.binHz)));
  const auto last =
      std::min(spectrum.levelDb.size() - 1, static_cast<std::size_t>(highHz / spectrum.binHz));
  double power = 0.0, moment = 0.0;
  for (std::size_t b = first; b <= last; ++b) {
    const double p = std::pow(10.0, spectrum.levelDb[b] / 10.0);
    power += p;
    moment += p * static_cast<double>(b) * spectrum.binHz;
  }
  return power > 0.0 ? moment / power : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace reverie::test
