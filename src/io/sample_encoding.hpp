// Float samples to 16- and 24-bit integers: one rounding and one dither for every writer.
#pragma once

#include <cmath>
#include <cstdint>

#include "io/tpdf_dither.hpp"

namespace reverie::io {

/// Rounds to the nearest integer and clamps to [low, high]; NaN becomes 0 rather than a rail.
inline std::int32_t quantize(double scaled, double low, double high) {
  if (std::isnan(scaled)) return 0;
  const double rounded = std::floor(scaled + 0.5);
  return static_cast<std::int32_t>(rounded < low ? low : (rounded > high ? high : rounded));
}

/// A 16-bit sample with TPDF dither: one draw of `dither` per sample, in interleaved order.
inline std::int32_t pcm16Sample(float x, TpdfDither& dither) {
  constexpr double kFullScale = 32768.0;
  return quantize(x * kFullScale + dither.nextLsb(), -32768.0, 32767.0);
}

/// A 24-bit sample, plainly rounded: its error (-144 dBFS) sits far below any playback chain's
/// noise.
inline std::int32_t pcm24Sample(float x) {
  constexpr double kFullScale = 8388608.0;
  return quantize(x * kFullScale, -8388608.0, 8388607.0);
}

}  // namespace reverie::io
