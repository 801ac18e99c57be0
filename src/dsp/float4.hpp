// Four floats side by side in one SIMD register, and the lane-wise functions voices need.
#pragma once

#include <cstdint>
#include <cstring>

#include "dsp/math_constants.hpp"

namespace reverie::dsp {

/// GCC/Clang vector extension: element-wise arithmetic (a scalar operand is broadcast),
/// comparisons giving lane masks, and `mask ? a : b` per lane. SSE2 on x86-64, NEON on AArch64.
using Float4 = float __attribute__((vector_size(16)));
using Int4 = std::int32_t __attribute__((vector_size(16)));
using UInt4 = std::uint32_t __attribute__((vector_size(16)));

inline Float4 broadcast(float x) {
  return Float4{x, x, x, x};
}
inline Float4 max(Float4 a, Float4 b) {
  return a > b ? a : b;
}
inline Float4 min(Float4 a, Float4 b) {
  return a < b ? a : b;
}
/// The sum of the four lanes, in a fixed order: neighbours first.
inline float sum(Float4 v) {
  return (v[0] + v[1]) + (v[2] + v[3]);
}
/// The sum of the four lanes, the upper half added onto the lower first (the order a
/// shuffle-and-add takes); rounds differently from sum(), so each caller keeps its own.
inline float sumByHalves(Float4 v) {
  return (v[0] + v[2]) + (v[1] + v[3]);
}
/// sumByHalves of two vectors at once, with two shuffles and adds.
inline void sumByHalves(Float4 a, Float4 b, float& sumA, float& sumB) {
  const Float4 pairs =
      __builtin_shufflevector(a, b, 0, 1, 4, 5) + __builtin_shufflevector(a, b, 2, 3, 6, 7);
  sumA = pairs[0] + pairs[1];
  sumB = pairs[2] + pairs[3];
}

/// Per lane, `yes` where the mask is all ones (a comparison's true) and `no` where it is zero.
inline Float4 select(Int4 mask, Float4 yes, Float4 no) {
  return reinterpret_cast<Float4>((reinterpret_cast<Int4>(yes) & mask) |
                                  (reinterpret_cast<Int4>(no) & ~mask));
}
/// Whether any lane of a comparison's mask is true (one movmskps on SSE).
inline bool anyLane(Int4 mask) {
#if defined(__SSE__)
  return __builtin_ia32_movmskps(reinterpret_cast<Float4>(mask)) != 0;
#else
  return (mask[0] | mask[1] | mask[2] | mask[3]) != 0;
#endif
}

/// Four floats from memory that need not be aligned, and back.
inline Float4 load4(const float* p) {
  Float4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(float* p, Float4 v) {
  std::memcpy(p, &v, sizeof v);
}

/// Transposes four vectors (rows) so that row k holds lane k of the four inputs.
inline void transpose(Float4& a, Float4& b, Float4& c, Float4& d) {
  const Float4 t0 = __builtin_shufflevector(a, b, 0, 4, 1, 5),
               t1 = __builtin_shufflevector(a, b, 2, 6, 3, 7);
  const Float4 t2 = __builtin_shufflevector(c, d, 0, 4, 1, 5),
               t3 = __builtin_shufflevector(c, d, 2, 6, 3, 7);
  a = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
  b = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
  c = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
  d = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

/// 2^(cents / 1200) per lane, for |cents| within 100 octaves: the nearest whole octave goes
/// into the exponent bits and 2^f, |f| <= 1/2, is a degree-6 Taylor polynomial of e^(f ln 2)
/// (relative error under 3e-7, a few ten-thousandths of a cent).
inline Float4 ratioOfCents(Float4 cents) {
  const Float4 octaves = cents * (1.0f / 1200.0f);
  Int4 whole = __builtin_convertvector(octaves, Int4);  // toward zero
  Float4 fraction = octaves - __builtin_convertvector(whole, Float4);
  const Int4 up = fraction >= 0.5f, down = fraction < -0.5f;  // masks are -1 where true
  whole = whole - up + down;
  fraction = up ? fraction - 1.0f : (down ? fraction + 1.0f : fraction);
  const Float4 f = fraction * 0.693147181f;
  const Float4 p =
      1.0f +
      f * (1.0f + f * (0.5f + f * (1.0f / 6.0f + f * (1.0f / 24.0f +
                                                      f * (1.0f / 120.0f + f * (1.0f / 720.0f))))));
  const Int4 scale = (whole + 127) << 23;  // 2^whole as a float's bits
  return p * reinterpret_cast<Float4>(scale);
}

/// sin(2 pi phase) per lane, phase in cycles (|phase| < 2^31): folded to a quarter wave, then
/// an odd Taylor polynomial to x^11 (error under 3e-7 in float).
inline Float4 sineOfCycles(Float4 phase) {
  Float4 x = phase - __builtin_convertvector(__builtin_convertvector(phase, Int4), Float4);
  x = x >= 0.5f ? x - 1.0f : x;
  x = x < -0.5f ? x + 1.0f : x;
  // x in [-0.5, 0.5): reflect the outer quarters, sin(pi - a) = sin(a).
  x = x > 0.25f ? 0.5f - x : x;
  x = x < -0.25f ? -0.5f - x : x;
  const Float4 t = x * kTwoPiF;
  const Float4 t2 = t * t;
  return t * (1.0f + t2 * (-1.0f / 6.0f +
                           t2 * (1.0f / 120.0f +
                                 t2 * (-1.0f / 5040.0f +
                                       t2 * (1.0f / 362880.0f + t2 * (-1.0f / 39916800.0f))))));
}

}  // namespace reverie::dsp
