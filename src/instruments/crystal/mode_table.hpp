// Mode frequency ratios of the crystal instrument's geometries, from published measurements.
#pragma once

namespace reverie::crystal {

enum class Geometry { kHarmonic = 0, kBar = 1, kGlass = 2, kBowl = 3, kSpiral = 4, kCustom = 5 };

/// One mode: frequency as a ratio of the played note's, and its index in the series (for
/// position weights and damping, both halves of a near-degenerate pair share the index).
struct ModeRatio {
  double ratio;
  int order;  ///< 1 = principal
};

inline constexpr int kMaxModes = 64;

/// Fills `out` (kMaxModes entries) with up to `maxModes` modes for a geometry. `stretch` bends the
/// harmonic and spiral series (ratio n^stretch); `pairSplitHz` splits every mode of geometries
/// without measured pairs into two, `splitHz` apart at the principal (wider higher up), for the
/// slow beating of real glass; `noteHz` converts that split into ratios. Sorted by frequency;
/// returns the count. No allocation: runs on the audio thread at note-on. kCustom takes its ratios
/// from `custom` (`customCount` of them; a harmonic series if none).
int modeRatios(Geometry geometry, int maxModes, double stretch, double pairSplitHz, double noteHz,
               ModeRatio* out, const double* custom = nullptr, int customCount = 0);

}  // namespace reverie::crystal
