// The spectral envelope of sung notes, read off their harmonics: where a vowel's formants lie.
#include "support/formant_envelope.hpp"

#include <algorithm>
#include <cmath>

#include "support/spectrum_peaks.hpp"

namespace reverie::test {
namespace {

constexpr double kGridHz = 5.0;

}  // namespace

std::vector<HarmonicLevel> harmonicLevels(std::span<const float> signal, double sampleRate,
                                          double f0Hz, double maxHz) {
  const Spectrum spectrum = analyseSpectrum(signal, sampleRate);
  std::vector<HarmonicLevel> levels;
  for (int k = 1; k * f0Hz <= maxHz; ++k) {
    const double centre = k * f0Hz;
    const auto first =
        static_cast<std::size_t>(std::max(1.0, std::ceil((centre - 0.25 * f0Hz) / spectrum.binHz)));
    const auto last =
        std::min(spectrum.levelDb.size() - 1,
                 static_cast<std::size_t>(std::floor((centre + 0.25 * f0Hz) / spectrum.binHz)));
    double power = 0.0;
    for (std::size_t b = first; b <= last; ++b) power += std::pow(10.0, spectrum.levelDb[b] / 10.0);
    levels.push_back({centre, 10.0 * std::log10(power + 1e-300)});
  }
  return levels;
}

std::vector<double> envelopePeaksHz(std::vector<HarmonicLevel> points, double smoothingHz,
                                    double prominenceDb) {
  if (points.size() < 3) return {};
  std::sort(points.begin(), points.end(), [](const HarmonicLevel& a, const HarmonicLevel& b) {
    return a.frequencyHz < b.frequencyHz;
  });
  // Straight lines in dB between neighbouring points, on a uniform grid.
  const double low = points.front().frequencyHz, high = points.back().frequencyHz;
  std::vector<double> grid;
  std::size_t segment = 0;
  for (double f = low; f <= high; f += kGridHz) {
    while (segment + 2 < points.size() && points[segment + 1].frequencyHz < f) ++segment;
    const HarmonicLevel& a = points[segment];
    const HarmonicLevel& b = points[segment + 1];
    const double span = b.frequencyHz - a.frequencyHz;
    const double t = span > 0.0 ? std::clamp((f - a.frequencyHz) / span, 0.0, 1.0) : 0.0;
    grid.push_back(a.levelDb + t * (b.levelDb - a.levelDb));
  }
  // Triangle smoothing.
  const int half = std::max(0, static_cast<int>(std::lround(smoothingHz / kGridHz)));
  std::vector<double> smooth(grid.size());
  for (std::size_t i = 0; i < grid.size(); ++i) {
    double sum = 0.0, weights = 0.0;
    for (int j = -half; j <= half; ++j) {
      const long at = static_cast<long>(i) + j;
      if (at < 0 || at >= static_cast<long>(grid.size())) continue;
      const double w = 1.0 + half - std::abs(j);
      sum += w * grid[static_cast<std::size_t>(at)];
      weights += w;
    }
    smooth[i] = sum / weights;
  }
  // Prominent local maxima: walk each way until the envelope rises above the peak again.
  std::vector<double> peaks;
  for (std::size_t i = 1; i + 1 < smooth.size(); ++i) {
    if (!(smooth[i] > smooth[i - 1] && smooth[i] >= smooth[i + 1])) continue;
    double leftMin = smooth[i], rightMin = smooth[i];
    bool leftHigher = false, rightHigher = false;
    for (std::size_t j = i; j-- > 0;) {
      if (smooth[j] > smooth[i]) {
        leftHigher = true;
        break;
      }
      leftMin = std::min(leftMin, smooth[j]);
    }
    for (std::size_t j = i + 1; j < smooth.size(); ++j) {
      if (smooth[j] > smooth[i]) {
        rightHigher = true;
        break;
      }
      rightMin = std::min(rightMin, smooth[j]);
    }
    // At the grid's ends the envelope is unknown beyond: only a proven drop counts there.
    const bool leftFalls =
        smooth[i] - leftMin >= prominenceDb && (leftHigher || leftMin < smooth[i]);
    const bool rightFalls =
        smooth[i] - rightMin >= prominenceDb && (rightHigher || rightMin < smooth[i]);
    if (leftFalls && rightFalls) peaks.push_back(low + static_cast<double>(i) * kGridHz);
  }
  return peaks;
}

}  // namespace reverie::test
