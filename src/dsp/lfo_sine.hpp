// The sine every low-frequency oscillator reads: a 32-bit phase (2^32 is one cycle) in, a
// smooth float out.
#pragma once

#include <cmath>
#include <cstdint>

namespace reverie::dsp {

/// sin(2 pi phase / 2^32) by a refined parabola: max error ~0.1 %, smooth first derivative;
/// enough for a modulation source, and a few multiplies instead of a libm call. A uint32 phase
/// wraps by itself, so an LFO is `phase += increment; lfoSine(phase)`.
inline float lfoSine(std::uint32_t phase) {
  const float x = static_cast<float>(static_cast<std::int32_t>(phase)) * (1.0f / 2147483648.0f);
  const float y = 4.0f * x * (1.0f - std::fabs(x));  // ~sin(pi x) for x in [-1, 1)
  return 0.225f * (y * std::fabs(y) - y) + y;
}

}  // namespace reverie::dsp
