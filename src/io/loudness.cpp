// Loudness measurement (libebur128) and normalisation to a LUFS target under a true-peak ceiling.
#include "reverie/loudness.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "dsp/decibels.hpp"
#include "io/ebur128_meter.hpp"
#include "io/gain_search.hpp"
#include "io/offline_peak_limiter.hpp"
#include "reverie/errors.hpp"
#include "reverie/stop_request.hpp"

namespace reverie {
namespace {

// BS.1770-4's absolute gate: nothing quieter counts, so it is where "silence" is reported.
constexpr double kSilenceLufs = -70.0;
constexpr double kFloorDb = -144.0;  // the LoudnessStats default; below 24-bit resolution
constexpr std::size_t kMeasureChunkFrames = 1 << 16;
constexpr int kMaxIterations = 10;
constexpr double kLoudnessToleranceLu = 0.1;
// Lowering the limiter by the measured excess alone can land a hair over the ceiling again.
constexpr double kCeilingMarginDb = 0.05;
constexpr double kTrimMarginDb = 0.01;  // float rounding when a whole result is scaled down
constexpr double kDefaultCeilingDbtp = -1.0;
constexpr double kLowestCeilingDbtp = -60.0;
constexpr double kLoudestTargetLufs = 6.0;  // beyond anything under 0 dBTP (a full-scale square)
// Keeps a make-up gain on absurd input finite, so the limiter still has a ratio to work with.
constexpr float kLargestSample = 1e30f;

double toDb(double linear) {
  return dsp::ratioToDecibels(linear, kFloorDb);
}

/// As LoudnessStats, but with integrated loudness left at -inf when no block passes the gates.
LoudnessStats measureRaw(const float* interleaved, std::size_t frames, int channels,
                         double sampleRate) {
  const long rate = sampleRate >= 1.0 && sampleRate <= 1e7 ? std::lround(sampleRate) : 0;
  if (channels < 1 || rate < 1 || static_cast<double>(rate) != sampleRate) {
    throw InputError("cannot measure loudness of " + std::to_string(channels) + " channels at " +
                     std::to_string(sampleRate) + " Hz (use a whole sample rate such as 48000)");
  }
  io::Ebur128Meter meter(channels, rate,
                         EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK | EBUR128_MODE_SAMPLE_PEAK);
  for (std::size_t done = 0; done < frames; done += kMeasureChunkFrames) {
    if (stopRequested()) throw RuntimeFailure("interrupted while measuring loudness");
    const std::size_t chunk = std::min(kMeasureChunkFrames, frames - done);
    meter.add(interleaved + done * channels, chunk, "loudness measurement failed (out of memory?)");
  }

  LoudnessStats stats;
  stats.integratedLufs = meter.integratedLufs();
  double truePeak = 0.0;
  double samplePeak = 0.0;
  for (int c = 0; c < channels; ++c) {
    truePeak = std::max(truePeak, meter.truePeak(c));
    samplePeak = std::max(samplePeak, meter.samplePeak(c));
  }
  stats.truePeakDbtp = toDb(truePeak);
  stats.samplePeakDbfs = toDb(samplePeak);
  return stats;
}

LoudnessStats reported(LoudnessStats stats) {
  if (!(stats.integratedLufs >= kSilenceLufs)) stats.integratedLufs = kSilenceLufs;
  return stats;
}

/// original × gain, then limited so no true peak exceeds `limitDb`.
void render(const std::vector<float>& original, std::vector<float>& out, int channels,
            double sampleRate, double gainDb, double limitDb) {
  const float gain = static_cast<float>(dsp::decibelsToRatio(gainDb));
  std::transform(original.begin(), original.end(), out.begin(),
                 [gain](float x) { return std::clamp(x * gain, -kLargestSample, kLargestSample); });
  io::limitPeaks(out.data(), out.size() / channels, channels, sampleRate,
                 static_cast<float>(dsp::decibelsToRatio(limitDb)));
}

/// One attempt: make-up gain, limiter threshold, and what came out.
struct Candidate {
  double gainDb = 0.0;
  double limitDb = 0.0;
  LoudnessStats stats;
  double errorLu = 0.0;  ///< target minus measured
  double overDb = 0.0;   ///< true peak minus ceiling

  /// The limiter commutes with scaling (its required gain is a ratio), so turning gain and
  /// threshold down together scales the whole result: the true peak drops dB for dB (the
  /// oversampling is linear) and so does the loudness (BS.1770's relative gate moves with it).
  /// This is the turn-down that lands a too-loud result on the target, or brings an over-ceiling
  /// one under it.
  double trimDb() const {
    double trim = overDb > 0.0 ? -(overDb + kTrimMarginDb) : 0.0;
    if (errorLu < -kLoudnessToleranceLu) trim = std::min(trim, errorLu);
    return trim;
  }
  double errorAfterTrimLu() const { return errorLu - trimDb(); }
  /// Within tolerance after the trim, then the least trimmed (least needless limiting); failing
  /// that, the closest to the target.
  bool betterThan(const Candidate& other) const {
    const bool lands = std::fabs(errorAfterTrimLu()) <= kLoudnessToleranceLu;
    const bool otherLands = std::fabs(other.errorAfterTrimLu()) <= kLoudnessToleranceLu;
    if (lands != otherLands) return lands;
    if (lands) return trimDb() > other.trimDb();
    return std::fabs(errorAfterTrimLu()) < std::fabs(other.errorAfterTrimLu());
  }
};

/// The last word: if libebur128 still measures a true peak over the ceiling (rounding, or a
/// search that ran out of tries), the whole result is scaled down until it does not. Scaling
/// moves the measured true peak dB for dB, so one pass is the rule and the loop a guard.
void enforceCeiling(std::vector<float>& interleaved, int channels, double sampleRate,
                    double ceilingDbtp, LoudnessStats& stats, double& gainDb) {
  const std::size_t frames = interleaved.size() / static_cast<std::size_t>(channels);
  for (int guard = 0; guard < 4 && stats.truePeakDbtp > ceilingDbtp; ++guard) {
    const double trimDb = ceilingDbtp - stats.truePeakDbtp - kTrimMarginDb;
    const float scale = static_cast<float>(dsp::decibelsToRatio(trimDb));
    for (float& x : interleaved) x *= scale;
    gainDb += trimDb;
    stats = measureRaw(interleaved.data(), frames, channels, sampleRate);
  }
}

/// The ceiling honoured: never above full scale, and a ceiling that is not a number is the default.
double effectiveCeilingDbtp(double requestedDbtp) {
  if (std::isnan(requestedDbtp)) return kDefaultCeilingDbtp;
  return std::clamp(requestedDbtp, kLowestCeilingDbtp, 0.0);
}

}  // namespace

LoudnessStats measureLoudness(const float* interleaved, std::size_t frames, int channels,
                              double sampleRate) {
  return reported(measureRaw(interleaved, frames, channels, sampleRate));
}

NormalizeResult normalizeLoudness(std::vector<float>& interleaved, int channels, double sampleRate,
                                  double targetLufs, double requestedCeilingDbtp) {
  if (std::isnan(targetLufs)) {
    throw InputError("the loudness target is not a number (give one in LUFS, such as -16)");
  }
  targetLufs = std::clamp(targetLufs, kSilenceLufs, kLoudestTargetLufs);
  const double truePeakCeilingDbtp = effectiveCeilingDbtp(requestedCeilingDbtp);
  const std::size_t frames = channels > 0 ? interleaved.size() / channels : 0;
  // Nothing that is not a number reaches the meter or the listener.
  for (float& x : interleaved) {
    if (!std::isfinite(x)) x = 0.0f;
  }
  const LoudnessStats before = measureRaw(interleaved.data(), frames, channels, sampleRate);
  const std::vector<float> original = interleaved;
  // Silence, or under 400 ms of audio: BS.1770 has no loudness to match, so no gain is applied,
  // but the ceiling still holds.
  if (!std::isfinite(before.integratedLufs)) {
    if (before.truePeakDbtp <= truePeakCeilingDbtp) return {0.0, 0, reported(before)};
    render(original, interleaved, channels, sampleRate, 0.0, truePeakCeilingDbtp);
    LoudnessStats after = measureRaw(interleaved.data(), frames, channels, sampleRate);
    double gainDb = 0.0;
    enforceCeiling(interleaved, channels, sampleRate, truePeakCeilingDbtp, after, gainDb);
    return {gainDb, 1, reported(after)};
  }

  // The limiter works on sample peaks, but the ceiling is on true (inter-sample) peaks. So: try a
  // gain and a limiter threshold, measure, lower the threshold by any true-peak excess, search
  // the gain for the target; then take the best attempt, trimmed down if it came out too loud.
  auto attempt = [&](double gainDb, double limitDb) {
    render(original, interleaved, channels, sampleRate, gainDb, limitDb);
    Candidate tried{gainDb, limitDb, measureRaw(interleaved.data(), frames, channels, sampleRate)};
    tried.errorLu = targetLufs - tried.stats.integratedLufs;
    tried.overDb = tried.stats.truePeakDbtp - truePeakCeilingDbtp;
    return tried;
  };
  double gainDb = targetLufs - before.integratedLufs;
  double limitDb = truePeakCeilingDbtp;
  Candidate best;
  Candidate last;
  io::GainSearch search;
  int iterations = 0;
  while (iterations < kMaxIterations) {
    last = attempt(gainDb, limitDb);
    if (++iterations == 1 || last.betterThan(best)) best = last;
    if (last.overDb > 0.0) {
      // Measured from the highest sample, so the limiter does engage; and a lower threshold
      // changes how loudness follows gain, so the search starts again.
      limitDb = std::min(limitDb, last.stats.samplePeakDbfs) - (last.overDb + kCeilingMarginDb);
      gainDb += last.errorLu;
      search.reset();
      continue;
    }
    if (std::fabs(last.errorLu) <= kLoudnessToleranceLu) break;
    const std::optional<double> nextGainDb = search.next(gainDb, last.errorLu);
    if (!nextGainDb) break;
    gainDb = *nextGainDb;
  }

  // Re-render the chosen attempt (the same bits as before) with its trim; repeat the trim only
  // if rounding left the true peak over the ceiling.
  for (int guard = 0; guard < 3 && (best.trimDb() != 0.0 || best.gainDb != last.gainDb ||
                                    best.limitDb != last.limitDb);
       ++guard) {
    const double trimDb = best.trimDb();
    last = best = attempt(best.gainDb + trimDb, best.limitDb + trimDb);
  }
  double appliedGainDb = best.gainDb;
  enforceCeiling(interleaved, channels, sampleRate, truePeakCeilingDbtp, best.stats, appliedGainDb);
  return {appliedGainDb, iterations, reported(best.stats)};
}

}  // namespace reverie
