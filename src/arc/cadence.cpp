// Cadence plans (cadence.hpp).
#include "arc/cadence.hpp"

#include <iterator>
#include <utility>

namespace reverie::arc {
namespace {

/// Cadence plans, a phrase of four bars in half bars: diatonic steps (0 = I ... 6 = vii) or
/// kV7. Every one holds the tonic and the subdominant side (IV or ii) so the key stays clear
/// whichever a phrase draws; they differ in where the tonic falls, what stands between and
/// how the phrase closes (home, on vi, on IV; never a whole bar of V7, which with the brass's
/// bright partials and a phrase that breathes into its close read as the dominant's key). A
/// scene's first bar is the tonic anyway.
constexpr std::uint8_t kV7 = 7;
constexpr std::array<std::array<std::uint8_t, 2 * kPhraseBars>, CadencePlanner::kPlans>
    kCadencePlans = {{
        {0, 0, 3, 3, kV7, kV7, 0, 0},  // I | IV | V7 | I
        {0, 0, 5, 5, 1, kV7, 0, 0},    // I | vi | ii V7 | I
        {0, 3, 0, kV7, 5, 3, kV7, 0},  // I IV | I V7 | vi IV | V7 I
        {0, kV7, 0, 3, 0, kV7, 5, 5},  // I V7 | I IV | I V7 | vi
        {0, 5, 3, 0, 1, kV7, 0, 0},    // I vi | IV I | ii V7 | I
        {0, 3, 5, kV7, 0, 0, 3, 3},    // I IV | vi V7 | I | IV
        {0, 0, 3, 1, kV7, kV7, 5, 5},  // I | IV ii | V7 | vi
        {0, 2, 3, 0, 1, kV7, 0, 5},    // I iii | IV I | ii V7 | I vi
        {5, 5, 3, 3, kV7, kV7, 0, 0},  // vi | IV | V7 | I
        {3, 3, 0, 0, kV7, kV7, 0, 0},  // IV | I | V7 | I
        {0, 0, 5, 3, 1, kV7, 0, 0},    // I | vi IV | ii V7 | I
    }};
/// What leads to the scene's closing V7 - I: V7 itself, ii or IV.
constexpr std::uint8_t kLastApproach[] = {kV7, 1, 3};

}  // namespace

void CadencePlanner::startPhrase(dsp::Random& random) noexcept {
  if (dealt_ >= kPlans) {
    for (int k = 0; k < kPlans; ++k)
      deck_[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(k);
    for (int k = kPlans - 1; k > 0; --k)
      std::swap(deck_[static_cast<std::size_t>(k)],
                deck_[random.next() % static_cast<std::uint32_t>(k + 1)]);
    dealt_ = 0;
  }
  plan_ = deck_[static_cast<std::size_t>(dealt_++)];
}

Chord CadencePlanner::chord(int bar, int bars, bool secondHalf,
                            ChordChooser& chooser) const noexcept {
  const auto step = [&chooser](int s) {
    if (s != kV7) return chooser.diatonic(s);
    chooser.diatonic(4);
    return chooser.dominant();
  };
  if (bar == bars - 1 || (bar == 0 && !secondHalf)) return step(0);
  if (bar == bars - 2)
    return step(secondHalf ? kV7 : kLastApproach[plan_ % std::size(kLastApproach)]);
  const std::size_t slot = static_cast<std::size_t>(bar % kPhraseBars) * 2 + (secondHalf ? 1 : 0);
  return step(kCadencePlans[static_cast<std::size_t>(plan_)][slot]);
}

}  // namespace reverie::arc
