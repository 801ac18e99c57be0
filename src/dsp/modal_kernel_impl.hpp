// The modal kernel written once over a 16-lane vector type; each ISA's file instantiates it.
// Include only from the modal_kernel_*.cpp files, inside an anonymous namespace's reach:
// everything here has internal linkage so differently compiled copies never merge.
#pragma once

#include "dsp/modal_kernel.hpp"

namespace reverie::dsp {
namespace {

// V needs: V::load(const float*), store(float*), V::broadcast(float), V::zero(),
// fma(a, b, c) = a*b + c and fnma(a, b, c) = c - a*b (each rounded once), add, mul,
// and reduce2(a, b, ra, rb): the sums of a's and of b's 16 lanes, each in the fixed tree
// ((l_i + l_{i+8}), then +4, then (0+2) + (1+3)), so every implementation rounds alike.
template <typename V, int kGroups, bool kDriven>
inline void renderGroups(const ModeArrays& m, const float* excitation, float* mid, float* side,
                         int frames) {
  V re[kGroups], im[kGroups], c[kGroups], s[kGroups], g[kGroups], w[kGroups];
  for (int k = 0; k < kGroups; ++k) {
    re[k] = V::load(m.re + 16 * k);
    im[k] = V::load(m.im + 16 * k);
    c[k] = V::load(m.c + 16 * k);
    s[k] = V::load(m.s + 16 * k);
    g[k] = V::load(m.gain + 16 * k);
    w[k] = V::load(m.sideGain + 16 * k);
  }
  for (int t = 0; t < frames; ++t) {
    V sumMid = V::zero(), sumSide = V::zero();
    const V x = V::broadcast(kDriven ? excitation[t] : 0.0f);
    for (int k = 0; k < kGroups; ++k) {
      // re' = c re - s im + g x ; im' = s re + c im
      const V drive = kDriven ? V::mul(g[k], x) : V::zero();
      const V nextRe = V::fma(c[k], re[k], V::fnma(s[k], im[k], drive));
      const V nextIm = V::fma(s[k], re[k], V::mul(c[k], im[k]));
      re[k] = nextRe;
      im[k] = nextIm;
      sumMid = V::add(sumMid, nextIm);
      sumSide = V::fma(w[k], nextIm, sumSide);
    }
    float totalMid, totalSide;
    V::reduce2(sumMid, sumSide, totalMid, totalSide);
    mid[t] += totalMid;
    side[t] += totalSide;
  }
  for (int k = 0; k < kGroups; ++k) {
    V::store(m.re + 16 * k, re[k]);
    V::store(m.im + 16 * k, im[k]);
  }
}

template <typename V, bool kDriven>
inline void renderDispatch(const ModeArrays& m, const float* excitation, float* mid, float* side,
                           int frames) {
  switch (m.groups) {
    case 1:
      return renderGroups<V, 1, kDriven>(m, excitation, mid, side, frames);
    case 2:
      return renderGroups<V, 2, kDriven>(m, excitation, mid, side, frames);
    case 3:
      return renderGroups<V, 3, kDriven>(m, excitation, mid, side, frames);
    default:
      return renderGroups<V, 4, kDriven>(m, excitation, mid, side, frames);
  }
}

template <typename V>
inline void renderModesWith(const ModeArrays& m, const float* excitation, float* mid, float* side,
                            int frames) {
  if (m.groups <= 0 || frames <= 0) return;
  if (excitation != nullptr) {
    renderDispatch<V, true>(m, excitation, mid, side, frames);
  } else {
    renderDispatch<V, false>(m, excitation, mid, side, frames);
  }
}

}  // namespace
}  // namespace reverie::dsp
