// Synthetic signals whose pitch, decay, beating and onsets are known exactly: the answers the
// audio measurements are checked against.
#include "support/test_signals.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

namespace reverie::test {
namespace {

std::size_t sampleCount(double seconds, double sampleRate) {
  return static_cast<std::size_t>(std::llround(seconds * sampleRate));
}

}  // namespace

std::vector<float> sine(double frequencyHz, double seconds, double sampleRate, double amplitude,
                        double phaseRadians) {
  std::vector<float> out(sampleCount(seconds, sampleRate));
  const double radiansPerSample = 2.0 * std::numbers::pi * frequencyHz / sampleRate;
  for (std::size_t n = 0; n < out.size(); ++n) {
    out[n] = static_cast<float>(amplitude *
                                std::sin(radiansPerSample * static_cast<double>(n) + phaseRadians));
  }
  return out;
}

std::vector<float> decayingSine(double frequencyHz, double seconds, double sampleRate,
                                double t60Seconds, double amplitude) {
  std::vector<float> out = sine(frequencyHz, seconds, sampleRate, amplitude);
  applyDecay(out, sampleRate, t60Seconds);
  return out;
}

std::vector<float> whiteNoise(double seconds, double sampleRate, double rms, std::uint32_t seed) {
  std::mt19937 generator(seed);
  // Uniform on [-a, a] has RMS a / sqrt(3).
  std::uniform_real_distribution<double> uniform(-rms * std::sqrt(3.0), rms * std::sqrt(3.0));
  std::vector<float> out(sampleCount(seconds, sampleRate));
  for (float& sample : out) sample = static_cast<float>(uniform(generator));
  return out;
}

std::vector<float> mix(const std::vector<float>& a, const std::vector<float>& b) {
  std::vector<float> out(std::max(a.size(), b.size()), 0.0f);
  for (std::size_t n = 0; n < a.size(); ++n) out[n] += a[n];
  for (std::size_t n = 0; n < b.size(); ++n) out[n] += b[n];
  return out;
}

void applyDecay(std::vector<float>& signal, double sampleRate, double t60Seconds) {
  // 60 dB per T60 is a factor 10^-3 per T60 in amplitude.
  const double exponentPerSample = -3.0 / (t60Seconds * sampleRate);
  for (std::size_t n = 0; n < signal.size(); ++n) {
    signal[n] =
        static_cast<float>(signal[n] * std::pow(10.0, exponentPerSample * static_cast<double>(n)));
  }
}

}  // namespace reverie::test
