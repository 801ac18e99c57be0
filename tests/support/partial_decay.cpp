// The level of one partial over time, by heterodyning (a lock-in amplifier), and its T60.
#include "support/partial_decay.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

#include "support/fft.hpp"

namespace reverie::test {
namespace {

constexpr double kSilenceDb = -400.0;
constexpr std::size_t kHopsPerWindow = 16;

// Least-squares slope of y against x (Press et al., "Numerical Recipes", 15.2).
double slope(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double meanX = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double meanY = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double covariance = 0.0, variance = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    covariance += (x[i] - meanX) * (y[i] - meanY);
    variance += (x[i] - meanX) * (x[i] - meanX);
  }
  return covariance / variance;
}

double median(std::vector<double> values) {
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

struct NoiseFloor {
  double levelDb = kSilenceDb;  ///< Median level of the floor.
  double meanPower = 0.0;
};

// The floor is the last tenth of the track if it has stopped falling: its median drops from
// the tenth before by under a quarter of the mean drop per tenth since `first`. A tail still
// falling at the decay's own rate is no floor, and then there is none. Noise power through
// the window is exponentially distributed, so its mean is its median / ln 2.
NoiseFloor noiseFloor(const std::vector<double>& level, std::size_t first) {
  const std::size_t tenth = std::max<std::size_t>(1, level.size() / 10);
  if (first + 2 * tenth > level.size()) return {};
  const auto end = level.end(), tailStart = end - static_cast<std::ptrdiff_t>(tenth);
  const double last = median({tailStart, end});
  const double before = median({tailStart - static_cast<std::ptrdiff_t>(tenth), tailStart});
  const double tenths = static_cast<double>(level.size() - first) / static_cast<double>(tenth);
  const double meanDrop = (level[first] - last) / tenths;
  if (before - last >= 0.25 * meanDrop) return {};
  return {last, std::pow(10.0, last / 10.0) / std::numbers::ln2};
}

}  // namespace

PartialTrack trackPartial(std::span<const float> signal, double sampleRate, double frequencyHz,
                          double resolutionHz) {
  if (resolutionHz <= 0.0) resolutionHz = std::min(frequencyHz, 50.0);
  // The Blackman-Harris main lobe spans +-4 bins of the window length: 4 sr / M Hz.
  const std::size_t windowLength = std::max<std::size_t>(
      16, static_cast<std::size_t>(std::ceil(4.0 * sampleRate / resolutionHz)));
  const std::size_t hop = std::max<std::size_t>(1, windowLength / kHopsPerWindow);
  PartialTrack track;
  track.firstSeconds = 0.5 * static_cast<double>(windowLength) / sampleRate;
  track.hopSeconds = static_cast<double>(hop) / sampleRate;
  track.windowSeconds = static_cast<double>(windowLength) / sampleRate;
  if (signal.size() < windowLength) return track;

  // Kernel w[m] e^{-i w m}: heterodyne and low-pass in one dot product per frame. The phase
  // restarts each frame, which changes only the phase of the result, not its magnitude.
  const std::vector<double> window = windowCoefficients(Window::kBlackmanHarris, windowLength);
  const double radiansPerSample = 2.0 * std::numbers::pi * frequencyHz / sampleRate;
  std::vector<double> kernelCos(windowLength), kernelSin(windowLength);
  for (std::size_t m = 0; m < windowLength; ++m) {
    kernelCos[m] = window[m] * std::cos(radiansPerSample * static_cast<double>(m));
    kernelSin[m] = -window[m] * std::sin(radiansPerSample * static_cast<double>(m));
  }
  // A sine of amplitude A gives |Y| = A sum(w) / 2.
  const double scale = 2.0 / std::accumulate(window.begin(), window.end(), 0.0);
  for (std::size_t start = 0; start + windowLength <= signal.size(); start += hop) {
    double re = 0.0, im = 0.0;
    for (std::size_t m = 0; m < windowLength; ++m) {
      re += kernelCos[m] * signal[start + m];
      im += kernelSin[m] * signal[start + m];
    }
    const double magnitude = std::hypot(re, im) * scale;
    track.levelDb.push_back(magnitude > 0.0 ? 20.0 * std::log10(magnitude) : kSilenceDb);
  }
  return track;
}

double t60OfPartial(std::span<const float> signal, double sampleRate, double frequencyHz,
                    double resolutionHz) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const PartialTrack track = trackPartial(signal, sampleRate, frequencyHz, resolutionHz);
  const std::vector<double>& level = track.levelDb;
  if (level.size() < 4) return kNaN;
  const std::size_t peak =
      static_cast<std::size_t>(std::max_element(level.begin(), level.end()) - level.begin());

  // The window's peak lies at most half a window before the onset; from half a window after
  // the peak, every frame sees only the decay.
  const std::size_t settled =
      peak + static_cast<std::size_t>(std::ceil(0.5 * track.windowSeconds / track.hopSeconds));
  std::size_t first = settled;
  while (first < level.size() && level[first] > level[peak] - 5.0) ++first;
  if (first >= level.size()) return kNaN;

  const NoiseFloor floor = noiseFloor(level, first);
  const double endDb = std::max(level[first] - 30.0, floor.levelDb + 10.0);
  std::size_t end = first;
  while (end < level.size() && level[end] >= endDb) ++end;
  if (end - first < 4 || level[first] - level[end - 1] < 10.0) return kNaN;

  // Noise adds its mean power to the partial's; taking it away keeps the tail of the fit from
  // bending up (0.5 dB at 10 dB above the floor).
  std::vector<double> seconds, decibels;
  for (std::size_t j = first; j < end; ++j) {
    const double power = std::pow(10.0, level[j] / 10.0) - floor.meanPower;
    seconds.push_back(track.firstSeconds + static_cast<double>(j) * track.hopSeconds);
    decibels.push_back(10.0 * std::log10(std::max(power, 1e-3 * floor.meanPower)));
  }
  const double dbPerSecond = slope(seconds, decibels);
  return dbPerSecond < 0.0 ? -60.0 / dbPerSecond : kNaN;
}

}  // namespace reverie::test
