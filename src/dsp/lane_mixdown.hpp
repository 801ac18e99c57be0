// Mixing four lanes down to one or two channels: per sample, or four samples at a time.
#pragma once

#include <cstring>

#include "dsp/float4.hpp"

namespace reverie::dsp {

/// Transposes four vectors (rows) so that row k holds lane k of the four inputs.
inline void transpose(Float4& a, Float4& b, Float4& c, Float4& d) {
#if defined(__clang__)
  const Float4 t0 = __builtin_shufflevector(a, b, 0, 4, 1, 5),
               t1 = __builtin_shufflevector(a, b, 2, 6, 3, 7);
  const Float4 t2 = __builtin_shufflevector(c, d, 0, 4, 1, 5),
               t3 = __builtin_shufflevector(c, d, 2, 6, 3, 7);
  a = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
  b = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
  c = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
  d = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
#else
  const Float4 t0 = __builtin_shuffle(a, b, Int4{0, 4, 1, 5}),
               t1 = __builtin_shuffle(a, b, Int4{2, 6, 3, 7});
  const Float4 t2 = __builtin_shuffle(c, d, Int4{0, 4, 1, 5}),
               t3 = __builtin_shuffle(c, d, Int4{2, 6, 3, 7});
  a = __builtin_shuffle(t0, t2, Int4{0, 1, 4, 5});
  b = __builtin_shuffle(t0, t2, Int4{2, 3, 6, 7});
  c = __builtin_shuffle(t1, t3, Int4{0, 1, 4, 5});
  d = __builtin_shuffle(t1, t3, Int4{2, 3, 6, 7});
#endif
}

/// Per sample: ((w0 y0 + w1 y1) + w2 y2) + w3 y3. The four-sample form below adds in the
/// same order, so a sample's value does not depend on which form produced it.
inline float weightedLaneSum(Float4 y, Float4 w) {
  const Float4 p = y * w;
  return ((p[0] + p[1]) + p[2]) + p[3];
}

/// Four consecutive samples y[0..3] at once: element j is weightedLaneSum(y[j], w).
inline Float4 weightedLaneSums(const Float4* y, Float4 w) {
  Float4 a = y[0] * w, b = y[1] * w, c = y[2] * w, d = y[3] * w;
  transpose(a, b, c, d);
  return ((a + b) + c) + d;
}

inline Float4 load4(const float* p) {
  Float4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(float* p, Float4 v) {
  std::memcpy(p, &v, sizeof v);
}

}  // namespace reverie::dsp
