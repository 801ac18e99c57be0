// Cadences: a phrase of four bars follows one of a deck of chord plans, and the scene closes
// (ii or IV) V7 - I.
#pragma once

#include <array>
#include <cstdint>

#include "arc/harmony.hpp"
#include "dsp/random.hpp"

namespace reverie::arc {

/// Bars in a phrase: the theme, the voicings and the cadence plans all start on its first bar.
constexpr int kPhraseBars = 4;

class CadencePlanner {
 public:
  static constexpr int kPlans = 11;

  void reset() noexcept {
    dealt_ = kPlans;
    plan_ = 0;
  }
  /// A new phrase draws the next plan from this take's shuffled deck.
  void startPhrase(dsp::Random& random) noexcept;
  /// The chord for bar `bar` of a scene of `bars` bars (or its second half), walked on by
  /// `chooser`.
  Chord chord(int bar, int bars, bool secondHalf, ChordChooser& chooser) const noexcept;

 private:
  std::array<std::uint8_t, kPlans> deck_{};
  int dealt_ = kPlans;
  int plan_ = 0;  ///< the plan of this phrase
};

}  // namespace reverie::arc
