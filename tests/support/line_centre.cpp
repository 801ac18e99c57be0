// The centre of one spectral line, as the power centroid of the bins around it.
#include "support/line_centre.hpp"

#include <cmath>
#include <complex>
#include <limits>
#include <numbers>

#include "support/fft.hpp"

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

PartialTrack partialTrack(std::span<const float> signal, double sampleRate, double partialHz,
                          double halfWidthHz) {
  const std::size_t size = nextPowerOfTwo(2 * signal.size());
  std::vector<std::complex<double>> data(size);
  for (std::size_t n = 0; n < signal.size(); ++n) data[n] = signal[n];
  const ComplexFft fft(size);
  fft.forward(data);
  const double binHz = sampleRate / static_cast<double>(size);
  for (std::size_t k = 0; k < size; ++k) {
    const double hz = static_cast<double>(k) * binHz;
    const bool keep = k < size / 2 && std::fabs(hz - partialHz) <= halfWidthHz;
    data[k] = keep ? 2.0 * data[k] : std::complex<double>(0.0, 0.0);
  }
  fft.inverse(data);
  PartialTrack track;
  track.hz.resize(signal.size());
  track.amplitude.resize(signal.size());
  for (std::size_t n = 0; n < signal.size(); ++n) {
    track.amplitude[n] = magnitudeOf(data[n]);
    if (n > 0)
      track.hz[n] = std::arg(data[n] * std::conj(data[n - 1])) * sampleRate / (2.0 * std::numbers::pi);
  }
  if (signal.size() > 1) track.hz[0] = track.hz[1];
  return track;
}

}  // namespace reverie::test
