// Loudness of a stream, and normalisation planned over a source that can be read twice: the
// engine of reverie::normalizeLoudness, in a form that never holds the whole audio.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "dsp/true_peak_detector.hpp"
#include "reverie/loudness.hpp"

namespace reverie::io {

class Ebur128Meter;

/// Interleaved frames that can be read again from the start, the same every time.
class FrameSource {
 public:
  virtual ~FrameSource() = default;
  virtual void rewind() = 0;
  /// Up to `frames` frames into `out`; fewer only at the end, 0 past it.
  virtual std::size_t read(float* out, std::size_t frames) = 0;
};

/// Interleaved frames handed on, in order.
using FrameSink = std::function<void(const float* interleaved, std::size_t frames)>;

/// Integrated loudness, true peak and sample peak (libebur128) of audio fed in any pieces: the
/// same figures however it is cut. Throws InputError for a rate that is not whole.
class LoudnessMeter {
 public:
  /// Where the true peak comes from: libebur128's own oversampling, which normalisation decides
  /// by; or, for a render's summary, the master limiter's detector (dsp::TruePeakDetector: the
  /// same BS.1770-4 4x oversampling with a 48-tap filter, vectorised across the phases), which
  /// costs a fifth as much. libebur128's true peak was 70% of the meter's cost and an eighth of a
  /// MIDI file's render on one thread.
  enum class TruePeak { kLibrary, kLimiterDetector };
  LoudnessMeter(int channels, double sampleRate, TruePeak truePeak = TruePeak::kLibrary);
  ~LoudnessMeter();
  LoudnessMeter(const LoudnessMeter&) = delete;
  LoudnessMeter& operator=(const LoudnessMeter&) = delete;

  void add(const float* interleaved, std::size_t frames);
  /// Integrated loudness is -inf when no block passes the gates.
  LoudnessStats raw() const;
  /// As reported to the user: silence is -70 LUFS.
  LoudnessStats stats() const;

 private:
  std::unique_ptr<Ebur128Meter> meter_;
  int channels_;
  std::vector<dsp::TruePeakDetector> detectors_;  // one a channel with kLimiterDetector
  std::vector<float> truePeaks_;
};

/// What normalisation does to a source, found by reading it (several times) and applied by
/// streaming it once more: make-up gain, then the limiter if it engages, then any trims.
struct LevelPlan {
  bool untouched = true;  ///< the source as it is (non-finite samples silenced)
  double gainDb = 0.0;
  double limitDb = 0.0;
  bool limits = false;       ///< some true peak is over limitDb after the gain
  std::vector<float> trims;  ///< scale factors applied one after the other at the end
  NormalizeResult result;
};

/// Called during planning with the pass (1, 2, ...) and how far through it is (0..1).
using LevelProgress = std::function<void(int pass, double fraction)>;

/// Finds the plan that normalizeLoudness carries out (see there). Throws InputError for a target
/// that is not a number, RuntimeFailure when a stop is requested.
LevelPlan planLevel(FrameSource& original, int channels, double sampleRate, double targetLufs,
                    double requestedCeilingDbtp, const LevelProgress& progress = {});

/// Streams `original` through `plan` into `sink`: the samples normalizeLoudness leaves.
void applyLevel(FrameSource& original, const LevelPlan& plan, int channels, double sampleRate,
                const FrameSink& sink);

}  // namespace reverie::io
