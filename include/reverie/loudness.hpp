// Loudness measurement (EBU R128 via libebur128) and normalisation to a target with a true-peak
// ceiling.
#pragma once

#include <cstddef>
#include <vector>

namespace reverie {

struct LoudnessStats {
  double integratedLufs = -70.0;   ///< -inf (silence) is reported as -70 or lower
  double truePeakDbtp = -144.0;    ///< highest true peak over all channels
  double samplePeakDbfs = -144.0;  ///< highest sample peak over all channels
};

/// Measures interleaved float audio.
LoudnessStats measureLoudness(const float* interleaved, std::size_t frames, int channels,
                              double sampleRate);

struct NormalizeResult {
  double gainDb = 0.0;  ///< make-up gain applied before limiting
  int iterations = 0;
  LoudnessStats result;  ///< measured on the final audio
};

/// Scales `interleaved` in place to `targetLufs` integrated loudness while keeping the true
/// peak, as libebur128 measures it, at or under `truePeakCeilingDbtp`, with a look-ahead
/// true-peak limiter when gain alone would overshoot. Lands within 0.5 LU for anything louder
/// than silence; audio too short or quiet to have a loudness keeps its level but still meets
/// the ceiling. Whatever the arguments, no sample comes out non-finite or above full scale:
/// the ceiling is clamped to -60..0 dBTP (NaN means the default, -1 dBTP), the target to
/// -70..+6 LUFS, and non-finite input samples become silence. Throws InputError for a target
/// that is not a number. Control thread only.
NormalizeResult normalizeLoudness(std::vector<float>& interleaved, int channels, double sampleRate,
                                  double targetLufs, double truePeakCeilingDbtp);

}  // namespace reverie
