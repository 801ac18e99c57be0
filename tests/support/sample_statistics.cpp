// Facts read straight off the samples: level, extremes, finiteness; and one channel taken out
// of interleaved audio.
#include "support/sample_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace reverie::test {
namespace {

double meanSquare(std::span<const float> samples) {
  double sum = 0.0;
  for (const float sample : samples) sum += static_cast<double>(sample) * sample;
  return samples.empty() ? 0.0 : sum / static_cast<double>(samples.size());
}

}  // namespace

std::vector<float> channel(const std::vector<float>& interleaved, int channels, int which) {
  const std::size_t stride = static_cast<std::size_t>(channels);
  std::vector<float> out;
  out.reserve(interleaved.size() / stride);
  for (std::size_t i = static_cast<std::size_t>(which); i < interleaved.size(); i += stride) {
    out.push_back(interleaved[i]);
  }
  return out;
}

bool allFinite(std::span<const float> signal) {
  return std::all_of(signal.begin(), signal.end(), [](float x) { return std::isfinite(x); });
}

float peakAbs(std::span<const float> signal) {
  float peak = 0.0f;
  for (const float sample : signal) peak = std::max(peak, std::abs(sample));
  return peak;
}

double largestStep(std::span<const float> signal) {
  double step = 0.0;
  for (std::size_t n = 1; n < signal.size(); ++n) {
    step = std::max(step, std::abs(static_cast<double>(signal[n]) - signal[n - 1]));
  }
  return step;
}

double rmsDb(std::span<const float> signal, std::size_t begin, std::size_t end) {
  end = std::min(end, signal.size());
  if (begin >= end) return -std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(meanSquare(signal.subspan(begin, end - begin)));
}

std::vector<double> rmsEnvelope(std::span<const float> signal, double sampleRate,
                                double windowSeconds, double hopSeconds) {
  const std::size_t window =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(windowSeconds * sampleRate)));
  const std::size_t hop =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(hopSeconds * sampleRate)));
  std::vector<double> envelope;
  if (signal.size() <= window) {
    envelope.push_back(std::sqrt(meanSquare(signal)));
    return envelope;
  }
  for (std::size_t start = 0; start + window <= signal.size(); start += hop) {
    envelope.push_back(std::sqrt(meanSquare(signal.subspan(start, window))));
  }
  return envelope;
}

}  // namespace reverie::test
