// Sensory roughness of a sound from its spectral peaks: the Plomp-Levelt dissonance curve.
#pragma once

#include <span>
#include <vector>

#include "support/spectrum_peaks.hpp"

namespace reverie::test {

/// The roughness of one pair of partials with linear amplitudes a1, a2 (Sethares, "Tuning,
/// Timbre, Spectrum, Scale", 2nd ed., appendix E, fitting Plomp & Levelt 1965):
///   d = a1 a2 (e^{-b1 s df} - e^{-b2 s df}),  s = x* / (s1 min(f1, f2) + s2),
/// with x* = 0.24, s1 = 0.0207, s2 = 18.96, b1 = 3.5, b2 = 5.75. It is zero for unisons,
/// peaks near a quarter of a critical band and fades past a critical band.
double pairRoughness(const Peak& first, const Peak& second);

/// The sum of pairRoughness over all pairs of `peaks`.
double roughness(const std::vector<Peak>& peaks);

/// The roughness of the 30 strongest peaks within 60 dB of the loudest, from one long
/// Blackman-Harris spectrum of the signal (its first 2.7 s at 48 kHz). It scales with the
/// square of the level, so compare sounds at equal level. A single sine reads ~0; a minor
/// second is rougher than a fifth.
double roughness(std::span<const float> signal, double sampleRate);

}  // namespace reverie::test
