// Musical tension estimated from audio alone: loudness, roughness and onset rate in sliding
// windows, standardised and combined with weights fixed in advance.
#include "support/tension_estimate.hpp"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "support/onsets.hpp"
#include "support/scene_features.hpp"

namespace reverie::test {
namespace {

constexpr double kSilenceLufs = -70.0;  // BS.1770's absolute gate

struct StateDeleter {
  void operator()(ebur128_state* state) const { ebur128_destroy(&state); }
};
using LoudnessMeter = std::unique_ptr<ebur128_state, StateDeleter>;

/// A mono libebur128 meter whose window holds `windowMs`.
LoudnessMeter makeMeter(double sampleRate, unsigned long windowMs) {
  const long rate = std::lround(sampleRate);
  if (rate < 1 || static_cast<double>(rate) != sampleRate) {
    throw std::invalid_argument("tension_estimate.cpp: error: cannot measure loudness at " +
                                std::to_string(sampleRate) +
                                " Hz (use a whole sample rate such as 48000)");
  }
  LoudnessMeter meter(ebur128_init(1, static_cast<unsigned long>(rate), EBUR128_MODE_S));
  if (!meter) throw std::runtime_error("tension_estimate.cpp: error: libebur128 refused the rate");
  const int status = ebur128_set_max_window(meter.get(), windowMs);
  if (status != EBUR128_SUCCESS && status != EBUR128_ERROR_NO_CHANGE) {
    throw std::runtime_error("tension_estimate.cpp: error: libebur128 cannot hold a " +
                             std::to_string(windowMs) + " ms window (out of memory?)");
  }
  return meter;
}

}  // namespace

TensionTrack estimateTension(std::span<const float> mono, double sampleRate, double windowSeconds,
                             double hopSeconds) {
  TensionTrack track;
  if (mono.empty()) return track;
  const std::size_t total = mono.size();
  const std::size_t window =
      std::min(total, static_cast<std::size_t>(std::llround(windowSeconds * sampleRate)));
  const std::size_t hop =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(hopSeconds * sampleRate)));
  const double windowLength = static_cast<double>(window) / sampleRate;
  const auto windowMs = static_cast<unsigned long>(std::llround(windowLength * 1000.0));

  const LoudnessMeter meter = makeMeter(sampleRate, std::max(windowMs, 1UL));
  const std::vector<RoughnessFrame> frames = roughnessFrames(mono, sampleRate);
  const std::vector<double> onsets = pitchedOnsetTimes(mono, sampleRate, frames);

  std::size_t fed = 0;
  for (std::size_t start = 0; start + window <= total; start += hop) {
    const std::size_t end = start + window;
    const double startSeconds = static_cast<double>(start) / sampleRate;
    const double endSeconds = static_cast<double>(end) / sampleRate;
    track.seconds.push_back(0.5 * (startSeconds + endSeconds));

    ebur128_add_frames_float(meter.get(), mono.data() + fed, end - fed);
    fed = end;
    double lufs = -std::numeric_limits<double>::infinity();
    ebur128_loudness_window(meter.get(), windowMs, &lufs);
    track.loudness.push_back(std::max(kSilenceLufs, lufs));

    // Frames are few hundred per minute and sorted, so a scan per window is cheap enough.
    const auto inside = [&](const RoughnessFrame& frame) {
      return frame.startSeconds >= startSeconds - 1e-9 && frame.endSeconds <= endSeconds + 1e-9;
    };
    const auto first = std::find_if(frames.begin(), frames.end(), inside);
    const auto last = std::find_if_not(first, frames.end(), inside);
    track.roughness.push_back(energyWeightedRoughness(std::span(first, last)));

    const auto count = std::count_if(onsets.begin(), onsets.end(),
                                     [&](double t) { return t >= startSeconds && t < endSeconds; });
    track.onsetRate.push_back(static_cast<double>(count) / windowLength);
  }

  const std::vector<double> loudness = zScores(track.loudness);
  const std::vector<double> roughness = zScores(track.roughness);
  const std::vector<double> onsetRate = zScores(track.onsetRate);
  for (std::size_t j = 0; j < track.seconds.size(); ++j) {
    track.estimate.push_back(kLoudnessWeight * loudness[j] + kRoughnessWeight * roughness[j] +
                             kOnsetWeight * onsetRate[j]);
  }
  return track;
}

std::vector<double> zScores(std::span<const double> values) {
  std::vector<double> scores(values.size(), 0.0);
  if (values.empty()) return scores;
  double mean = 0.0;
  for (const double value : values) mean += value;
  mean /= static_cast<double>(values.size());
  double variance = 0.0;
  for (const double value : values) variance += (value - mean) * (value - mean);
  const double deviation = std::sqrt(variance / static_cast<double>(values.size()));
  // Equal values up to rounding carry no information: read them as all average.
  if (!(deviation > 1e-12 * std::max(1.0, std::abs(mean)))) return scores;
  for (std::size_t i = 0; i < values.size(); ++i) scores[i] = (values[i] - mean) / deviation;
  return scores;
}

double pearson(std::span<const double> a, std::span<const double> b) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (a.size() != b.size() || a.size() < 2) return kNaN;
  const auto n = static_cast<double>(a.size());
  double meanA = 0.0, meanB = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    meanA += a[i] / n;
    meanB += b[i] / n;
  }
  double covariance = 0.0, varianceA = 0.0, varianceB = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    covariance += (a[i] - meanA) * (b[i] - meanB);
    varianceA += (a[i] - meanA) * (a[i] - meanA);
    varianceB += (b[i] - meanB) * (b[i] - meanB);
  }
  if (varianceA <= 0.0 || varianceB <= 0.0) return kNaN;
  return covariance / std::sqrt(varianceA * varianceB);
}

}  // namespace reverie::test
