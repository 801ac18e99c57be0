// Peaks of one long windowed spectrum, located to a small fraction of a bin: pitch and partials.
#include "support/spectrum_peaks.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace reverie::test {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Floor for log of an exactly zero bin: far below any float signal, but finite for the parabola.
constexpr double kSilenceDb = -400.0;

bool isLocalMaximum(const std::vector<double>& level, std::size_t k) {
  // Strict on the left and not on the right, so a flat top of two equal bins counts once.
  return k > 0 && k + 1 < level.size() && level[k] > level[k - 1] && level[k] >= level[k + 1];
}

}  // namespace

double Peak::amplitude() const {
  return std::pow(10.0, amplitudeDb / 20.0);
}

double Spectrum::maxDb() const {
  return levelDb.empty() ? kSilenceDb : *std::max_element(levelDb.begin(), levelDb.end());
}

double Spectrum::noiseFloorDb() const {
  if (levelDb.empty()) return kSilenceDb;
  std::vector<double> sorted = levelDb;
  const auto middle = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2);
  std::nth_element(sorted.begin(), middle, sorted.end());
  return std::max(*middle + 10.0, maxDb() - 90.0);
}

Spectrum analyseSpectrum(std::span<const float> signal, double sampleRate,
                         const SpectrumOptions& options) {
  const std::span<const float> segment = signal.first(std::min(signal.size(), options.maxSamples));
  std::size_t fftSize =
      nextPowerOfTwo(std::max<std::size_t>(segment.size() * options.zeroPadding, 2));
  if (options.fftSize >= segment.size() && options.fftSize >= 2) fftSize = options.fftSize;
  const std::vector<double> magnitudes = magnitudeSpectrum(segment, options.window, fftSize);
  Spectrum spectrum;
  spectrum.binHz = sampleRate / static_cast<double>(fftSize);
  spectrum.levelDb.resize(magnitudes.size());
  for (std::size_t k = 0; k < magnitudes.size(); ++k) {
    spectrum.levelDb[k] = magnitudes[k] > 0.0 ? 20.0 * std::log10(magnitudes[k]) : kSilenceDb;
  }
  return spectrum;
}

Peak interpolatePeak(const Spectrum& spectrum, std::size_t bin) {
  const double left = spectrum.levelDb[bin - 1], centre = spectrum.levelDb[bin],
               right = spectrum.levelDb[bin + 1];
  // Vertex of the parabola through (-1, left), (0, centre), (1, right): offset p in bins,
  // height centre - (left - right) p / 4 (Smith, "Spectral Audio Signal Processing", QIFFT).
  const double curvature = left - 2.0 * centre + right;
  const double offset = curvature < 0.0 ? 0.5 * (left - right) / curvature : 0.0;
  return {(static_cast<double>(bin) + offset) * spectrum.binHz,
          centre - 0.25 * (left - right) * offset};
}

std::vector<Peak> findPeaks(const Spectrum& spectrum, std::size_t maxPeaks, double minDbBelowMax,
                            double lowHz, double highHz) {
  const double thresholdDb = spectrum.maxDb() - minDbBelowMax;
  std::vector<Peak> peaks;
  for (std::size_t k = 1; k + 1 < spectrum.levelDb.size(); ++k) {
    if (!isLocalMaximum(spectrum.levelDb, k) || spectrum.levelDb[k] < thresholdDb) continue;
    const Peak peak = interpolatePeak(spectrum, k);
    if (peak.frequencyHz >= lowHz && peak.frequencyHz <= highHz) peaks.push_back(peak);
  }
  std::sort(peaks.begin(), peaks.end(),
            [](const Peak& a, const Peak& b) { return a.amplitudeDb > b.amplitudeDb; });
  if (peaks.size() > maxPeaks) peaks.resize(maxPeaks);
  return peaks;
}

std::optional<Peak> strongestPeakBetween(const Spectrum& spectrum, double lowHz, double highHz) {
  const double floorDb = spectrum.noiseFloorDb();
  const std::size_t first =
      static_cast<std::size_t>(std::max(1.0, std::floor(lowHz / spectrum.binHz)));
  const std::size_t last =
      std::min(spectrum.levelDb.size() - 1,
               static_cast<std::size_t>(std::ceil(highHz / spectrum.binHz)) + 1);
  std::optional<Peak> best;
  for (std::size_t k = first; k < last; ++k) {
    if (!isLocalMaximum(spectrum.levelDb, k) || spectrum.levelDb[k] < floorDb) continue;
    const Peak peak = interpolatePeak(spectrum, k);
    if (peak.frequencyHz < lowHz || peak.frequencyHz > highHz) continue;
    if (!best || peak.amplitudeDb > best->amplitudeDb) best = peak;
  }
  return best;
}

std::vector<Peak> spectralPeaks(std::span<const float> signal, double sampleRate,
                                std::size_t maxPeaks, double minDbBelowMax) {
  return findPeaks(analyseSpectrum(signal, sampleRate), maxPeaks, minDbBelowMax);
}

double fundamentalHz(std::span<const float> signal, double sampleRate, double expectedHz) {
  const double semitone = std::exp2(1.0 / 12.0);
  const std::optional<Peak> peak = strongestPeakBetween(
      analyseSpectrum(signal, sampleRate), expectedHz / semitone, expectedHz * semitone);
  return peak ? peak->frequencyHz : kNaN;
}

double peakNear(std::span<const float> signal, double sampleRate, double hz,
                double toleranceRatio) {
  const std::optional<Peak> peak =
      strongestPeakBetween(analyseSpectrum(signal, sampleRate), hz * (1.0 - toleranceRatio),
                           hz * (1.0 + toleranceRatio));
  return peak ? peak->frequencyHz : kNaN;
}

double centsBetween(double hz, double referenceHz) {
  return 1200.0 * std::log2(hz / referenceHz);
}

}  // namespace reverie::test
