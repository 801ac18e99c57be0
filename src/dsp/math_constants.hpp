// pi and 2 pi, from std::numbers, in the precisions the DSP code uses.
#pragma once

#include <numbers>

namespace reverie::dsp {

inline constexpr double kPi = std::numbers::pi;
inline constexpr double kTwoPi = 2.0 * std::numbers::pi;
inline constexpr float kPiF = std::numbers::pi_v<float>;
inline constexpr float kTwoPiF = 2.0f * std::numbers::pi_v<float>;
static_assert(kTwoPiF == static_cast<float>(kTwoPi));

/// pi to 15 significant digits, 3.14159265358979: 7 ulp under kPi. The shimmer's and the
/// choir's one-pole corners, the applause's crackle filter and the bar's mode table were
/// written with it; they keep it so their renders stay bit-identical. New code uses kPi.
inline constexpr double kPiTo15Digits = 3.14159265358979;

}  // namespace reverie::dsp
