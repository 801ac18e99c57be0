// Normalisation planned over a re-readable source: each attempt streams the source through gain,
// limiter and meter, so nothing holds more than a chunk of the audio.
#include "io/loudness_stream.hpp"

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

namespace reverie::io {
namespace {

// BS.1770-4's absolute gate: nothing quieter counts, so it is where "silence" is reported.
constexpr double kSilenceLufs = -70.0;
constexpr double kFloorDb = -144.0;  // the LoudnessStats default; below 24-bit resolution
constexpr std::size_t kChunkFrames = 1 << 16;
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

LoudnessStats reported(LoudnessStats stats) {
  if (!(stats.integratedLufs >= kSilenceLufs)) stats.integratedLufs = kSilenceLufs;
  return stats;
}

/// One attempt: make-up gain, limiter threshold, and what came out.
struct Candidate {
  double gainDb = 0.0;
  double limitDb = 0.0;
  bool limits = false;
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

/// The ceiling honoured: never above full scale, and a ceiling that is not a number is the default.
double effectiveCeilingDbtp(double requestedDbtp) {
  if (std::isnan(requestedDbtp)) return kDefaultCeilingDbtp;
  return std::clamp(requestedDbtp, kLowestCeilingDbtp, 0.0);
}

/// Reads the whole source once through the plan: gain, the limiter if the plan limits, trims.
/// With `scan`, the gained audio also goes through it (before any limiting).
void stream(FrameSource& source, const LevelPlan& plan, int channels, double sampleRate,
            const FrameSink& sink, OverCeilingScan* scan, const std::function<void(double)>& at,
            std::size_t totalFrames) {
  const std::size_t width = static_cast<std::size_t>(channels);
  const float gain = static_cast<float>(dsp::decibelsToRatio(plan.gainDb));
  std::optional<StreamingPeakLimiter> limiter;
  if (plan.limits)
    limiter.emplace(channels, sampleRate, static_cast<float>(dsp::decibelsToRatio(plan.limitDb)));
  std::vector<float> chunk(kChunkFrames * width);
  std::vector<float> copy;
  auto trimmed = [&](const float* frames, std::size_t count) {
    if (plan.trims.empty()) return sink(frames, count);
    copy.assign(frames, frames + count * width);
    for (float scale : plan.trims)
      for (float& x : copy) x *= scale;
    sink(copy.data(), count);
  };
  source.rewind();
  std::size_t done = 0;
  for (;;) {
    if (stopRequested()) throw RuntimeFailure("interrupted while measuring loudness");
    const std::size_t count = source.read(chunk.data(), kChunkFrames);
    if (count == 0) break;
    // Nothing that is not a number reaches the meter or the listener.
    float* samples = chunk.data();
    for (std::size_t i = 0; i < count * width; ++i) {
      float x = std::isfinite(samples[i]) ? samples[i] : 0.0f;
      if (!plan.untouched) x = std::clamp(x * gain, -kLargestSample, kLargestSample);
      samples[i] = x;
    }
    if (scan != nullptr) scan->add(samples, count);
    if (limiter) {
      limiter->push(samples, count, trimmed);
    } else {
      trimmed(samples, count);
    }
    done += count;
    if (at && totalFrames > 0)
      at(std::min(1.0, static_cast<double>(done) / static_cast<double>(totalFrames)));
  }
  if (limiter) limiter->finish(trimmed);
}

}  // namespace

LoudnessMeter::LoudnessMeter(int channels, double sampleRate, TruePeak truePeak)
    : channels_(channels) {
  const long rate = sampleRate >= 1.0 && sampleRate <= 1e7 ? std::lround(sampleRate) : 0;
  if (channels < 1 || rate < 1 || static_cast<double>(rate) != sampleRate) {
    throw InputError("cannot measure loudness of " + std::to_string(channels) + " channels at " +
                     std::to_string(sampleRate) + " Hz (use a whole sample rate such as 48000)");
  }
  const bool library = truePeak == TruePeak::kLibrary;
  meter_ = std::make_unique<Ebur128Meter>(
      channels, rate,
      EBUR128_MODE_I | EBUR128_MODE_SAMPLE_PEAK | (library ? EBUR128_MODE_TRUE_PEAK : 0));
  if (!library) {
    detectors_.resize(static_cast<std::size_t>(channels));
    for (dsp::TruePeakDetector& detector : detectors_) detector.prepare(sampleRate);
    truePeaks_.assign(static_cast<std::size_t>(channels), 0.0f);
  }
}

LoudnessMeter::~LoudnessMeter() = default;

void LoudnessMeter::add(const float* interleaved, std::size_t frames) {
  meter_->add(interleaved, frames, "loudness measurement failed (out of memory?)");
  const std::size_t channels = detectors_.size();
  constexpr std::size_t kRun = 1024;
  float peaks[kRun];
  for (std::size_t c = 0; c < channels; ++c) {
    dsp::TruePeakDetector& detector = detectors_[c];
    float peak = truePeaks_[c];
    for (std::size_t done = 0; done < frames; done += kRun) {
      const std::size_t count = std::min(kRun, frames - done);
      detector.nextBlock(interleaved + done * channels + c, static_cast<std::ptrdiff_t>(channels),
                         peaks, static_cast<int>(count));
      for (std::size_t f = 0; f < count; ++f) peak = std::max(peak, peaks[f]);
    }
    truePeaks_[c] = peak;
  }
}

LoudnessStats LoudnessMeter::raw() const {
  LoudnessStats stats;
  stats.integratedLufs = meter_->integratedLufs();
  double truePeak = 0.0;
  double samplePeak = 0.0;
  for (int c = 0; c < channels_; ++c) {
    samplePeak = std::max(samplePeak, meter_->samplePeak(c));
    if (detectors_.empty()) {
      truePeak = std::max(truePeak, meter_->truePeak(c));
      continue;
    }
    // The detector runs its filter's half length behind: silence after the end brings out the
    // last frames' peaks, in a copy, so more audio may still be added.
    dsp::TruePeakDetector tail = detectors_[static_cast<std::size_t>(c)];
    float peak = truePeaks_[static_cast<std::size_t>(c)];
    for (int i = 0; i < dsp::TruePeakDetector::kTapsPerPhase; ++i)
      peak = std::max(peak, tail.next(0.0f));
    truePeak = std::max({truePeak, static_cast<double>(peak), samplePeak});
  }
  stats.truePeakDbtp = toDb(truePeak);
  stats.samplePeakDbfs = toDb(samplePeak);
  return stats;
}

LoudnessStats LoudnessMeter::stats() const {
  return reported(raw());
}

LevelPlan planLevel(FrameSource& original, int channels, double sampleRate, double targetLufs,
                    double requestedCeilingDbtp, const LevelProgress& progress) {
  if (std::isnan(targetLufs)) {
    throw InputError("the loudness target is not a number (give one in LUFS, such as -16)");
  }
  targetLufs = std::clamp(targetLufs, kSilenceLufs, kLoudestTargetLufs);
  const double truePeakCeilingDbtp = effectiveCeilingDbtp(requestedCeilingDbtp);
  int pass = 0;
  std::size_t totalFrames = 0;
  // Streams the source through `plan` into a meter (and a scan, if given); one pass.
  auto measure = [&](const LevelPlan& plan, OverCeilingScan* scan) {
    LoudnessMeter meter(channels, sampleRate);
    std::size_t frames = 0;
    ++pass;
    stream(
        original, plan, channels, sampleRate,
        [&](const float* audio, std::size_t count) {
          meter.add(audio, count);
          frames += count;
        },
        scan,
        [&](double fraction) {
          if (progress) progress(pass, fraction);
        },
        totalFrames);
    totalFrames = frames;
    return meter.raw();
  };

  LevelPlan plan;
  const LoudnessStats before = measure(plan, nullptr);
  // Renders one attempt: gain, then the limiter only if some true peak is over its threshold.
  auto attempt = [&](double gainDb, double limitDb) {
    LevelPlan tried;
    tried.untouched = false;
    tried.gainDb = gainDb;
    tried.limitDb = limitDb;
    OverCeilingScan scan(channels, sampleRate, static_cast<float>(dsp::decibelsToRatio(limitDb)));
    Candidate candidate{gainDb, limitDb, false, measure(tried, &scan)};
    if (scan.over()) {
      tried.limits = candidate.limits = true;
      candidate.stats = measure(tried, nullptr);
    }
    candidate.errorLu = targetLufs - candidate.stats.integratedLufs;
    candidate.overDb = candidate.stats.truePeakDbtp - truePeakCeilingDbtp;
    return candidate;
  };
  auto planOf = [](const Candidate& c) {
    LevelPlan chosen;
    chosen.untouched = false;
    chosen.gainDb = c.gainDb;
    chosen.limitDb = c.limitDb;
    chosen.limits = c.limits;
    return chosen;
  };
  /// The last word: if libebur128 still measures a true peak over the ceiling (rounding, or a
  /// search that ran out of tries), the whole result is scaled down until it does not. Scaling
  /// moves the measured true peak dB for dB, so one pass is the rule and the loop a guard.
  auto enforceCeiling = [&](LevelPlan& chosen, LoudnessStats& stats, double& gainDb) {
    for (int guard = 0; guard < 4 && stats.truePeakDbtp > truePeakCeilingDbtp; ++guard) {
      const double trimDb = truePeakCeilingDbtp - stats.truePeakDbtp - kTrimMarginDb;
      chosen.trims.push_back(static_cast<float>(dsp::decibelsToRatio(trimDb)));
      gainDb += trimDb;
      stats = measure(chosen, nullptr);
    }
  };

  // Silence, or under 400 ms of audio: BS.1770 has no loudness to match, so no gain is applied,
  // but the ceiling still holds.
  if (!std::isfinite(before.integratedLufs)) {
    if (before.truePeakDbtp <= truePeakCeilingDbtp) {
      plan.result = {0.0, 0, reported(before)};
      return plan;
    }
    const Candidate limited = attempt(0.0, truePeakCeilingDbtp);
    plan = planOf(limited);
    LoudnessStats after = limited.stats;
    double gainDb = 0.0;
    enforceCeiling(plan, after, gainDb);
    plan.result = {gainDb, 1, reported(after)};
    return plan;
  }

  // The limiter works on sample peaks, but the ceiling is on true (inter-sample) peaks. So: try a
  // gain and a limiter threshold, measure, lower the threshold by any true-peak excess, search
  // the gain for the target; then take the best attempt, trimmed down if it came out too loud.
  double gainDb = targetLufs - before.integratedLufs;
  double limitDb = truePeakCeilingDbtp;
  Candidate best;
  Candidate last;
  GainSearch search;
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
  plan = planOf(best);
  double appliedGainDb = best.gainDb;
  enforceCeiling(plan, best.stats, appliedGainDb);
  plan.result = {appliedGainDb, iterations, reported(best.stats)};
  return plan;
}

void applyLevel(FrameSource& original, const LevelPlan& plan, int channels, double sampleRate,
                const FrameSink& sink) {
  stream(original, plan, channels, sampleRate, sink, nullptr, {}, 0);
}

}  // namespace reverie::io
