// Mixing four lanes down to one or two channels: per sample, or four samples at a time.
#pragma once

#include "dsp/float4.hpp"

namespace reverie::dsp {

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

/// Adds each frame's lane sums (in dsp::sum's order) onto a stereo pair of channels.
inline void addLaneSums(const Float4* sumLeft, const Float4* sumRight, float* left, float* right,
                        int frames) {
  for (int i = 0; i < frames; ++i) {
    left[i] += sum(sumLeft[i]);
    right[i] += sum(sumRight[i]);
  }
}

}  // namespace reverie::dsp
