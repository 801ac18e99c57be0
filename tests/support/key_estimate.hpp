// The key a pitch-class profile implies: the Krumhansl-Schmuckler key-finding algorithm.
#pragma once

#include <array>
#include <string>

namespace reverie::test {

/// A key: tonic pitch class (0 = C ... 11 = B), mode, and how well the profile fits it.
struct KeyEstimate {
  int tonic = 0;
  bool minor = false;
  double correlation = 0.0;  ///< Pearson r of the chroma with the key's profile, -1..1
};

/// Pearson correlation of `chroma` (energy per pitch class, C first; any scale) with the
/// Krumhansl-Kessler probe-tone profile of each key: entries 0..11 are C..B major, 12..23
/// C..B minor. A flat or silent chroma correlates 0 with every key.
std::array<double, 24> keyCorrelations(const std::array<double, 12>& chroma);

/// The best-correlated key: the algorithm of Krumhansl & Schmuckler (Krumhansl 1990,
/// "Cognitive Foundations of Musical Pitch"). Tonal music reads r ~0.6-0.9 in its key; a
/// chromatic cluster, whose chroma is nearly flat, reads little in any.
KeyEstimate estimateKey(const std::array<double, 12>& chroma);

/// "D major", "G# minor": sharps for the black keys.
std::string keyName(int tonic, bool minor);

}  // namespace reverie::test
