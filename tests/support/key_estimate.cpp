// The key a pitch-class profile implies: the Krumhansl-Schmuckler key-finding algorithm.
#include "support/key_estimate.hpp"

#include <cmath>
#include <cstddef>

namespace reverie::test {
namespace {

// Probe-tone ratings of each pitch class after a key-defining context, tonic first
// (Krumhansl & Kessler, Psychological Review 89(4), 1982; again in Krumhansl 1990).
constexpr std::array<double, 12> kMajorProfile = {6.35, 2.23, 3.48, 2.33, 4.38, 4.09,
                                                  2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
constexpr std::array<double, 12> kMinorProfile = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53,
                                                  2.54, 4.75, 3.98, 2.69, 3.34, 3.17};

constexpr std::array<const char*, 12> kPitchNames = {"C",  "C#", "D",  "D#", "E",  "F",
                                                     "F#", "G",  "G#", "A",  "A#", "B"};

/// Pearson r of chroma[p] with profile[(p - tonic) mod 12]; 0 when either is flat.
double correlationWithKey(const std::array<double, 12>& chroma,
                          const std::array<double, 12>& profile, std::size_t tonic) {
  double chromaMean = 0.0, profileMean = 0.0;
  for (std::size_t p = 0; p < 12; ++p) {
    chromaMean += chroma[p] / 12.0;
    profileMean += profile[p] / 12.0;
  }
  double covariance = 0.0, chromaVariance = 0.0, profileVariance = 0.0;
  for (std::size_t p = 0; p < 12; ++p) {
    const double x = chroma[p] - chromaMean;
    const double y = profile[(p + 12 - tonic) % 12] - profileMean;
    covariance += x * y;
    chromaVariance += x * x;
    profileVariance += y * y;
  }
  // A flat chroma has no shape to correlate, only rounding left in its variance.
  if (chromaVariance <= 1e-18 * 12.0 * chromaMean * chromaMean) return 0.0;
  return covariance / std::sqrt(chromaVariance * profileVariance);
}

}  // namespace

std::array<double, 24> keyCorrelations(const std::array<double, 12>& chroma) {
  std::array<double, 24> correlations{};
  for (std::size_t tonic = 0; tonic < 12; ++tonic) {
    correlations[tonic] = correlationWithKey(chroma, kMajorProfile, tonic);
    correlations[12 + tonic] = correlationWithKey(chroma, kMinorProfile, tonic);
  }
  return correlations;
}

KeyEstimate estimateKey(const std::array<double, 12>& chroma) {
  const std::array<double, 24> correlations = keyCorrelations(chroma);
  std::size_t best = 0;
  for (std::size_t key = 1; key < correlations.size(); ++key) {
    if (correlations[key] > correlations[best]) best = key;
  }
  return {static_cast<int>(best % 12), best >= 12, correlations[best]};
}

std::string keyName(int tonic, bool minor) {
  return std::string(kPitchNames[static_cast<std::size_t>((tonic % 12 + 12) % 12)]) +
         (minor ? " minor" : " major");
}

}  // namespace reverie::test
