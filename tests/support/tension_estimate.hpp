// Musical tension estimated from audio alone: loudness, roughness and onset rate in sliding
// windows, standardised and combined with weights fixed in advance.
#pragma once

#include <span>
#include <vector>

namespace reverie::test {

/// Per analysis window (all the same length): its centre and features, and the estimate.
struct TensionTrack {
  std::vector<double> seconds;    ///< centre of the window, seconds from the signal's start
  std::vector<double> loudness;   ///< loudness of the window (EBU R128 short-term), LUFS >= -70
  std::vector<double> roughness;  ///< energyWeightedRoughness of its frames, dimensionless
  std::vector<double>
      onsetRate;  ///< pitched onsets (pitchedOnsetTimes) per second within the window
  /// kLoudnessWeight z(loudness) + kRoughnessWeight z(roughness) + kOnsetWeight z(onsetRate),
  /// each feature z-scored over the whole track: dimensionless, mean 0 over the track.
  std::vector<double> estimate;
};

/// The weights, fixed a priori from the literature and never fitted to a script. Farbood
/// (2012, "A parametric, temporal model of musical tension", Music Perception 29(4)) found
/// listeners' tension to follow loudness (dynamics) most directly, onset frequency next, and
/// harmony as well, harmony being tracked over longer spans (Farbood & Upham 2013, Front.
/// Psychol. 4:998: ~22 s against 1-4 s for the other features). Sensory roughness stands in for
/// harmonic tension here: it rises with tension in non-tonal chords (Pressnitzer et al. 2000,
/// Percept. Psychophys. 62(1)) and in timbres (Farbood & Price 2017, JASA 141(1)). Loudness
/// gets the largest single weight but less than the other two together, so a loud, sparse,
/// consonant passage cannot out-tense a rough, dense one of middling level.
inline constexpr double kLoudnessWeight = 0.4;
inline constexpr double kRoughnessWeight = 0.3;
inline constexpr double kOnsetWeight = 0.3;

/// Windows of `windowSeconds` every `hopSeconds` over a mono signal, the first starting at 0
/// and the last ending inside the signal (one window over all of a shorter signal). Loudness
/// is libebur128's over the window's last windowSeconds (short-term loudness at the default
/// 3 s); roughness averages the roughnessFrames lying wholly inside the window; onsets come
/// from one onsetTimes pass over the whole signal. The sample rate must be a whole number of Hz.
TensionTrack estimateTension(std::span<const float> mono, double sampleRate,
                             double windowSeconds = 3.0, double hopSeconds = 1.0);

/// (x - mean) / standard deviation over `values` (population); all zeros if they are equal.
std::vector<double> zScores(std::span<const double> values);

/// Pearson's correlation coefficient of two equally long series, -1..1; NaN if their lengths
/// differ, they hold fewer than two values or either is constant.
double pearson(std::span<const double> a, std::span<const double> b);

}  // namespace reverie::test
