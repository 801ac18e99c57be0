// Mode ratio tables: glass harmonica, Tibetan bowl, free bar, harmonic and spiral series.
#include "instruments/crystal/mode_table.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "dsp/math_constants.hpp"

namespace reverie::crystal {
namespace {

// STK BandedWG "glass harmonica" preset (Essl & Cook): the first five modes. Further modes
// continue the series' growing spacing (differences 1.32, 1.93, 2.38, 2.75 rising by ~0.35).
constexpr double kGlass[] = {1.0, 2.32, 4.25, 6.63, 9.38};

// Tibetan singing bowl, measured as near-identical pairs (SOUND.md reference facts); the
// splitting of each pair is what makes a bowl beat.
constexpr double kBowl[] = {0.996, 1.004,  2.979,  2.993, 5.704, 8.998,
                            9.016, 12.807, 12.833, 17.28, 21.98};
constexpr int kBowlOrder[] = {1, 1, 2, 2, 3, 4, 4, 5, 5, 6, 7};

// Free-free Euler-Bernoulli bar: f_n proportional to beta_n^2, beta = 4.7300, 7.8532, 10.9956,
// 14.1372, 17.2788, then (2n + 1) pi / 2 (Fletcher & Rossing, The Physics of Musical Instruments).
double barBeta(int n) {
  constexpr double kBeta[] = {4.7300407, 7.8532046, 10.9956078, 14.1371655, 17.2787597};
  return n <= 5 ? kBeta[n - 1] : (2.0 * n + 1.0) * dsp::kPiTo15Digits / 2.0;
}

double baseRatio(Geometry geometry, int n, double stretch) {
  switch (geometry) {
    case Geometry::kHarmonic:
      return std::pow(static_cast<double>(n), stretch);
    case Geometry::kBar: {
      const double b = barBeta(n) / barBeta(1);
      return b * b;
    }
    case Geometry::kGlass: {
      if (n <= 5) return kGlass[n - 1];
      double ratio = kGlass[4], step = 2.75;
      for (int k = 6; k <= n; ++k) ratio += (step += 0.35);
      return ratio;
    }
    case Geometry::kSpiral:
      // A stretched series, drifting away from harmonicity the higher it goes.
      return std::pow(static_cast<double>(n), stretch < 1.001 ? 1.08 : stretch);
    case Geometry::kBowl:
    case Geometry::kCustom:
      break;
  }
  return static_cast<double>(n);
}

}  // namespace

int modeRatios(Geometry geometry, int maxModes, double stretch, double pairSplitHz, double noteHz,
               ModeRatio* out, const double* custom, int customCount) {
  // Collect a few more than asked, so sorting never drops a low mode for a high one.
  constexpr int kCapacity = kMaxModes + 16;
  ModeRatio modes[kCapacity];
  int count = 0;
  auto add = [&](double ratio, int order) {
    if (count < kCapacity) modes[count++] = {ratio, order};
  };
  if (geometry == Geometry::kBowl) {
    for (std::size_t i = 0; i < std::size(kBowl); ++i) add(kBowl[i], kBowlOrder[i]);
    // Beyond the measured modes, a bowl's modes keep rising roughly as n^1.8.
    for (int n = 8; count < maxModes && n < kMaxModes; ++n) add(21.98 * std::pow(n / 7.0, 1.8), n);
  } else {
    const bool pairs = pairSplitHz > 0.0 && noteHz > 0.0;
    const bool listed = geometry == Geometry::kCustom && customCount > 0;
    for (int n = 1; count < maxModes && n <= (listed ? customCount : kMaxModes); ++n) {
      const double ratio = listed ? custom[n - 1] : baseRatio(geometry, n, stretch);
      if (!pairs) {
        add(ratio, n);
        continue;
      }
      // Split about the nominal frequency, so the pair's centre stays in tune.
      // Never more than 1% of the ratio either way: an imperfection splits a mode by a fraction
      // of its frequency, so a low note beats more slowly (a split of a fixed 5 Hz would set a
      // low glass's halves a semitone apart, two pitches rather than one that beats).
      const double half = std::min(0.5 * pairSplitHz * std::sqrt(ratio) / noteHz, 0.01 * ratio);
      add(ratio - half, n);
      add(ratio + half, n);
    }
  }
  std::sort(modes, modes + count,
            [](const ModeRatio& a, const ModeRatio& b) { return a.ratio < b.ratio; });
  count = std::min({count, maxModes, kMaxModes});
  std::copy(modes, modes + count, out);
  return count;
}

}  // namespace reverie::crystal
