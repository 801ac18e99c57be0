// The rate at which a sound's loudness beats: detuned unisons, chorus, tremolo.
#include "support/beating.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <vector>

#include "support/fft.hpp"

namespace reverie::test {
namespace {

using Complex = std::complex<double>;
constexpr std::size_t kMaxSamples = std::size_t{1} << 19;
constexpr double kMinDepth = 0.01;

// |analytic signal|^2: keep DC and Nyquist, double the positive frequencies, drop the negative
// ones (Marple, "Computing the discrete-time analytic signal via FFT", IEEE TSP 1999).
std::vector<double> powerEnvelope(std::span<const float> signal) {
  const std::size_t size = nextPowerOfTwo(std::max<std::size_t>(signal.size(), 2));
  std::vector<double> input(signal.begin(), signal.end());
  RealFft realFft(size);
  std::vector<Complex> bins(realFft.binCount());
  realFft.forward(input, bins);
  std::vector<Complex> analytic(size, Complex(0.0, 0.0));
  analytic[0] = bins[0];
  analytic[size / 2] = bins[size / 2];
  for (std::size_t k = 1; k < size / 2; ++k) analytic[k] = 2.0 * bins[k];
  ComplexFft(size).inverse(analytic);
  std::vector<double> power(signal.size());
  for (std::size_t n = 0; n < power.size(); ++n)
    power[n] = magnitudeOf(analytic[n]) * magnitudeOf(analytic[n]);
  return power;
}

// Mean over a centred window of `length` samples, shortened at the ends, by prefix sums.
std::vector<double> movingAverage(const std::vector<double>& values, std::size_t length) {
  std::vector<double> prefix(values.size() + 1, 0.0);
  for (std::size_t n = 0; n < values.size(); ++n) prefix[n + 1] = prefix[n] + values[n];
  std::vector<double> out(values.size());
  const std::size_t half = length / 2;
  for (std::size_t n = 0; n < values.size(); ++n) {
    const std::size_t begin = n >= half ? n - half : 0;
    const std::size_t end = std::min(values.size(), n + half + 1);
    out[n] = (prefix[end] - prefix[begin]) / static_cast<double>(end - begin);
  }
  return out;
}

// Every `factor`-th sample after two passes of a `factor`-long moving average: the squared
// sinc response puts components that would alias onto the beat band 60-80 dB down.
std::vector<double> decimate(const std::vector<double>& values, std::size_t factor) {
  if (factor <= 1) return values;
  std::vector<double> smooth = movingAverage(movingAverage(values, factor), factor);
  std::vector<double> out;
  for (std::size_t n = factor / 2; n < smooth.size(); n += factor) out.push_back(smooth[n]);
  return out;
}

// Divides out the exponential trend of `power` and then its mean, and subtracts 1. The trend:
// smoothing over one period of the slowest beat leaves mostly the decay, a straight line in log
// power, fitted where the sound is within 60 dB of its loudest so silence does not bend it. Empty
// if silent.
std::vector<double> detrend(const std::vector<double>& power, std::size_t slowestPeriod) {
  const std::vector<double> smooth = movingAverage(power, slowestPeriod);
  const double loudest = smooth.empty() ? 0.0 : *std::max_element(smooth.begin(), smooth.end());
  if (loudest <= 0.0) return {};
  std::size_t first = 0, last = smooth.size();
  while (first < last && smooth[first] < loudest * 1e-6) ++first;
  while (last > first && smooth[last - 1] < loudest * 1e-6) --last;
  // Where the averaging window fits whole, an exponential comes through it exactly (it is an
  // eigenfunction); the shortened windows at the ends would bend the line, so fit inside them
  // when enough remains.
  std::size_t fitFirst = std::max(first, slowestPeriod / 2);
  std::size_t fitLast = std::min(last, smooth.size() - std::min(smooth.size(), slowestPeriod / 2));
  if (fitLast < fitFirst + slowestPeriod / 2) fitFirst = first, fitLast = last;
  double sumT = 0.0, sumY = 0.0, sumTT = 0.0, sumTY = 0.0;
  for (std::size_t n = fitFirst; n < fitLast; ++n) {
    const double t = static_cast<double>(n), y = std::log(smooth[n]);
    sumT += t, sumY += y, sumTT += t * t, sumTY += t * y;
  }
  const double fitCount = static_cast<double>(fitLast - fitFirst);
  const double denominator = fitCount * sumTT - sumT * sumT;
  const double slope = denominator > 0.0 ? (fitCount * sumTY - sumT * sumY) / denominator : 0.0;
  const double intercept = (sumY - slope * sumT) / fitCount;
  std::vector<double> out(last - first);
  const double count = static_cast<double>(last - first);
  double mean = 0.0;
  for (std::size_t n = first; n < last; ++n) {
    out[n - first] = power[n] / std::exp(intercept + slope * static_cast<double>(n));
    mean += out[n - first] / count;
  }
  // Relative to the mean, so a component's amplitude is its modulation depth.
  for (double& value : out) value = value / mean - 1.0;
  return out;
}

// The strongest component of `modulation` (sampled at `rate`) in [minHz, maxHz], from its
// Hann-windowed spectrum, zero-padded 4x so the log-parabola through the peak bin fits a smooth
// lobe (Smith & Serra 1987, as for spectral peaks).
Beating strongestComponent(std::vector<double> modulation, double rate, double minHz,
                           double maxHz) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> window = windowCoefficients(Window::kHann, modulation.size());
  double windowSum = 0.0;
  for (std::size_t n = 0; n < modulation.size(); ++n) {
    modulation[n] *= window[n];
    windowSum += window[n];
  }
  RealFft fft(nextPowerOfTwo(4 * modulation.size()));
  std::vector<Complex> bins(fft.binCount());
  fft.forward(modulation, bins);
  std::vector<double> level(bins.size());
  for (std::size_t k = 0; k < bins.size(); ++k) level[k] = std::log(magnitudeOf(bins[k]) + 1e-300);
  const double binHz = rate / static_cast<double>(fft.size());
  const std::size_t lowBin =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(minHz / binHz)));
  const std::size_t highBin =
      std::min(bins.size() - 2, static_cast<std::size_t>(std::floor(maxHz / binHz)));
  std::size_t best = 0;
  for (std::size_t k = lowBin; k <= highBin; ++k) {
    const bool isPeak = level[k] > level[k - 1] && level[k] >= level[k + 1];
    if (isPeak && (best == 0 || level[k] > level[best])) best = k;
  }
  if (best == 0) return {kNaN, 0.0};
  const double left = level[best - 1], centre = level[best], right = level[best + 1];
  const double curvature = left - 2.0 * centre + right;
  const double offset = curvature < 0.0 ? 0.5 * (left - right) / curvature : 0.0;
  // A component of amplitude A reads A sum(w) / 2; relative to the mean, A is the depth.
  const double depth = 2.0 * std::exp(centre - 0.25 * (left - right) * offset) / windowSum;
  if (depth < kMinDepth) return {kNaN, depth};
  return {(static_cast<double>(best) + offset) * binHz, depth};
}

}  // namespace

Beating measureBeating(std::span<const float> signal, double sampleRate, double minHz,
                       double maxHz) {
  const std::span<const float> segment = signal.first(std::min(signal.size(), kMaxSamples));
  if (segment.size() < 4 || minHz <= 0.0 || maxHz <= minHz) {
    return {std::numeric_limits<double>::quiet_NaN(), 0.0};
  }
  // An envelope rate of at least 1 kHz and 40 x maxHz keeps the beat band far from aliases.
  const std::size_t factor = std::max<std::size_t>(
      1, static_cast<std::size_t>(sampleRate / std::max(1000.0, 40.0 * maxHz)));
  const double envelopeRate = sampleRate / static_cast<double>(factor);
  const std::vector<double> modulation =
      detrend(decimate(powerEnvelope(segment), factor),
              static_cast<std::size_t>(std::lround(envelopeRate / minHz)));
  if (modulation.size() < 4) return {std::numeric_limits<double>::quiet_NaN(), 0.0};
  return strongestComponent(modulation, envelopeRate, minHz, maxHz);
}

double beatRateHz(std::span<const float> signal, double sampleRate, double minHz, double maxHz) {
  return measureBeating(signal, sampleRate, minHz, maxHz).rateHz;
}

}  // namespace reverie::test
