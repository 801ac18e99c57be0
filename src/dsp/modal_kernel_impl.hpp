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
// One voice's modes held in registers for a span: loaded at its start, the state stored back
// at its end.
template <typename V, int kGroups>
struct ModeRegisters {
  V re[kGroups], im[kGroups], c[kGroups], s[kGroups], g[kGroups], w[kGroups];
  explicit ModeRegisters(const ModeArrays& m) {
    for (int k = 0; k < kGroups; ++k) {
      re[k] = V::load(m.re + 16 * k);
      im[k] = V::load(m.im + 16 * k);
      c[k] = V::load(m.c + 16 * k);
      s[k] = V::load(m.s + 16 * k);
      g[k] = V::load(m.gain + 16 * k);
      w[k] = V::load(m.sideGain + 16 * k);
    }
  }
  void store(const ModeArrays& m) const {
    for (int k = 0; k < kGroups; ++k) {
      V::store(m.re + 16 * k, re[k]);
      V::store(m.im + 16 * k, im[k]);
    }
  }
};

// A frame's output: the modes' sum onto mid, their side-weighted sum onto side.
template <typename V>
inline void addFrame(const V& sumMid, const V& sumSide, float& mid, float& side) {
  float totalMid, totalSide;
  V::reduce2(sumMid, sumSide, totalMid, totalSide);
  mid += totalMid;
  side += totalSide;
}

// The group count as a type, so a renderer is compiled for each (1 to 4 groups of 16).
template <int kCount>
struct Groups {
  static constexpr int value = kCount;
};
template <typename Render>
inline void withGroups(int groups, const Render& render) {
  switch (groups) {
    case 1:
      return render(Groups<1>{});
    case 2:
      return render(Groups<2>{});
    case 3:
      return render(Groups<3>{});
    default:
      return render(Groups<4>{});
  }
}

template <typename V, int kGroups, bool kDriven>
inline void renderGroups(const ModeArrays& m, const float* excitation, float* mid, float* side,
                         int frames) {
  ModeRegisters<V, kGroups> r(m);
  auto& [re, im, c, s, g, w] = r;
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
    addFrame(sumMid, sumSide, mid[t], side[t]);
  }
  r.store(m);
}

template <typename V, bool kDriven>
inline void renderDispatch(const ModeArrays& m, const float* excitation, float* mid, float* side,
                           int frames) {
  withGroups(m.groups, [&](auto groups) {
    renderGroups<V, decltype(groups)::value, kDriven>(m, excitation, mid, side, frames);
  });
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

// The bow, fused: each frame the modes rotate, the gain-weighted real parts give the body's
// velocity under the bow, the friction gives the force, and the force lands on the rotated
// state, all in registers. The velocity a frame ahead is v(t+1) = B(t) + K F(t), where
// B(t) = sum g Re(p^2 z(t-1)) needs only the state before this frame's force and
// K = sum g^2 Re(p) is fixed for the span: so the sum over the modes runs beside the friction
// instead of after it, and a frame waits only for the friction.
template <typename V, int kGroups>
inline void renderBowedGroups(const ModeArrays& m, const BowDrive& bow, float* mid, float* side,
                              float* listenRe, float* listenIm, int frames) {
  ModeRegisters<V, kGroups> r(m);
  auto& [re, im, c, s, g, w] = r;
  // g Re(p^2 .) as two weights, p^2 = (c^2 - s^2) + i 2cs; K and the first frame's velocity.
  V gc2[kGroups], gs2[kGroups];
  V ahead = V::zero(), velocity = V::zero();
  for (int k = 0; k < kGroups; ++k) {
    gc2[k] = V::mul(g[k], V::fnma(s[k], s[k], V::mul(c[k], c[k])));
    gs2[k] = V::mul(g[k], V::mul(V::add(c[k], c[k]), s[k]));
    ahead = V::fma(V::mul(g[k], g[k]), c[k], ahead);
    velocity = V::fma(g[k], V::fnma(s[k], im[k], V::mul(c[k], re[k])), velocity);
  }
  float coupled, fromState;
  V::reduce2(ahead, velocity, coupled, fromState);
  // The carried velocity, unless there is none (no pointer, or NaN: read it from the state).
  float contact = bow.contact != nullptr && *bow.contact == *bow.contact ? *bow.contact : fromState;
  const bool listening = bow.listenA >= 0 && listenRe != nullptr;
  const int groupA = bow.listenA / 16, laneA = bow.listenA % 16;
  const int groupB = bow.listenB < 0 ? -1 : bow.listenB / 16, laneB = bow.listenB % 16;
  alignas(64) float lanes[4][16];
  for (int t = 0; t < frames; ++t) {
    // Stick-slip: while the bow sticks it drags the body along; once it slips, the force
    // falls off as the fourth power of the slip.
    const float slip = bow.speed - contact;
    const float base = (slip * bow.slope < 0.0f ? -slip * bow.slope : slip * bow.slope) + 0.75f;
    const float squared = base * base;
    const float fall = 1.0f / (squared * squared);
    const float push = slip * (fall < 1.0f ? fall : 1.0f) * bow.coupling;
    const V force = V::broadcast(push);
    V next = V::zero(), sumMid = V::zero(), sumSide = V::zero();
    for (int k = 0; k < kGroups; ++k) {
      next = V::fma(gc2[k], re[k], V::fnma(gs2[k], im[k], next));
      const V rotated = V::fnma(s[k], im[k], V::mul(c[k], re[k]));  // c re - s im
      const V nextIm = V::fma(s[k], re[k], V::mul(c[k], im[k]));
      re[k] = V::fma(g[k], force, rotated);
      im[k] = nextIm;
      sumMid = V::add(sumMid, nextIm);
      sumSide = V::fma(w[k], nextIm, sumSide);
    }
    addFrame(sumMid, sumSide, mid[t], side[t]);
    float before, unused;
    V::reduce2(next, V::zero(), before, unused);
    contact = before + coupled * push;
    if (listening) {
      V::store(lanes[0], re[groupA]);
      V::store(lanes[1], im[groupA]);
      float r = lanes[0][laneA], i = lanes[1][laneA];
      if (groupB >= 0) {
        V::store(lanes[2], re[groupB]);
        V::store(lanes[3], im[groupB]);
        r += lanes[2][laneB];
        i += lanes[3][laneB];
      }
      listenRe[t] = r;
      listenIm[t] = i;
    }
  }
  if (bow.contact != nullptr) *bow.contact = contact;
  r.store(m);
}

template <typename V>
inline void renderBowedWith(const ModeArrays& m, const BowDrive& bow, float* mid, float* side,
                            float* listenRe, float* listenIm, int frames) {
  if (m.groups <= 0 || frames <= 0) return;
  withGroups(m.groups, [&](auto groups) {
    renderBowedGroups<V, decltype(groups)::value>(m, bow, mid, side, listenRe, listenIm, frames);
  });
}

}  // namespace
}  // namespace reverie::dsp
