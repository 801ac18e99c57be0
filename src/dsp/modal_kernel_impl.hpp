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
  void load(const ModeArrays& m) {
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
  ModeRegisters<V, kGroups> r;
  r.load(m);
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

// Stick-slip: while the bow sticks it drags the body along; once it slips, the force falls off
// as the fourth power of the slip. The limit compiles to a branch the CPU predicts: while the
// bow sticks, the next frame need not wait for the division (a branchless minimum is slower).
// The magnitude is the builtin (one AND; these files include no standard header): a compare
// and a blend would lengthen the chain from one frame to the next. Adding 0.75 makes the sign
// of a zero slip irrelevant, so the bits are those of the compare.
inline float bowPush(const BowDrive& bow, float contact) {
  const float slip = bow.speed - contact;
  const float base = __builtin_fabsf(slip * bow.slope) + 0.75f;
  const float squared = base * base;
  const float fall = 1.0f / (squared * squared);
  return slip * (fall < 1.0f ? fall : 1.0f) * bow.coupling;
}

// The group of `a` that holds `group`, found with constant indices (a variable one would keep
// the whole array in memory instead of registers).
template <typename V, int kGroups>
inline V pickGroup(const V (&a)[kGroups], int group) {
  V picked = a[0];
  for (int k = 1; k < kGroups; ++k)
    if (k == group) picked = a[k];
  return picked;
}

// The bow, fused: each frame the modes rotate, the gain-weighted real parts give the body's
// velocity under the bow, the friction gives the force, and the force lands on the rotated
// state, all in registers. The velocity a frame ahead is v(t+1) = B(t) + K F(t), where
// B(t) = sum gv Re(p^2 z(t-1)) needs only the state before this frame's force and
// K = sum g gv Re(p) is fixed for the span (gv: the velocity's weights, by default g): so the
// sum over the modes runs beside the friction instead of after it, and a frame waits only for
// the friction.
template <typename V, int kGroups>
struct BowedRegisters {
  ModeRegisters<V, kGroups> r;
  V gc2[kGroups], gs2[kGroups];  // g Re(p^2 .) as two weights, p^2 = (c^2 - s^2) + i 2cs
  BowDrive bow;
  float coupled;  // K
  float contact;  // the velocity under the bow this frame
  int groupA, laneA, groupB, laneB;
  bool listening;

  void load(const BowedVoice& voice) {
    r.load(voice.modes);
    bow = voice.bow;
    const auto& [re, im, c, s, g, w] = r;
    const float* velocityGain = voice.modes.velocityGain;
    V ahead = V::zero(), velocity = V::zero();
    for (int k = 0; k < kGroups; ++k) {
      // The velocity's weights; the force lands through g (in frame()).
      const V gv = velocityGain != nullptr ? V::load(velocityGain + 16 * k) : g[k];
      gc2[k] = V::mul(gv, V::fnma(s[k], s[k], V::mul(c[k], c[k])));
      gs2[k] = V::mul(gv, V::mul(V::add(c[k], c[k]), s[k]));
      ahead = V::fma(V::mul(g[k], gv), c[k], ahead);
      velocity = V::fma(gv, V::fnma(s[k], im[k], V::mul(c[k], re[k])), velocity);
    }
    float fromState;
    V::reduce2(ahead, velocity, coupled, fromState);
    // The carried velocity, unless there is none (no pointer, or NaN: read it from the state).
    contact = bow.contact != nullptr && *bow.contact == *bow.contact ? *bow.contact : fromState;
    listening = bow.listenA >= 0 && voice.listenRe != nullptr;
    groupA = bow.listenA / 16, laneA = bow.listenA % 16;
    groupB = bow.listenB < 0 ? -1 : bow.listenB / 16, laneB = bow.listenB % 16;
  }
  // One frame with the force `push`: adds the output to mid and side, and returns the lanes
  // whose sum is B, the velocity a frame ahead without the force to come.
  V frame(float push, float& mid, float& side) {
    auto& [re, im, c, s, g, w] = r;
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
    addFrame(sumMid, sumSide, mid, side);
    return next;
  }
  // The listened lanes' summed state at frame t, through `lanes`, room for four vectors.
  void listen(const BowedVoice& voice, int t, float (*lanes)[16]) const {
    if (!listening) return;
    V::store(lanes[0], pickGroup(r.re, groupA));
    V::store(lanes[1], pickGroup(r.im, groupA));
    float re = lanes[0][laneA], im = lanes[1][laneA];
    if (groupB >= 0) {
      V::store(lanes[2], pickGroup(r.re, groupB));
      V::store(lanes[3], pickGroup(r.im, groupB));
      re += lanes[2][laneB];
      im += lanes[3][laneB];
    }
    voice.listenRe[t] = re;
    voice.listenIm[t] = im;
  }
};

// kVoices voices of kGroups groups each in one loop over the frames: the voices' friction
// chains are independent, so the CPU overlaps them.
template <typename V, int kGroups, int kVoices>
inline void renderBowedGroups(const BowedVoice* voices, int frames) {
  BowedRegisters<V, kGroups> v[kVoices];
  for (int i = 0; i < kVoices; ++i) v[i].load(voices[i]);
  alignas(64) float lanes[4][16];
  for (int t = 0; t < frames; ++t) {
    float push[kVoices], before[kVoices + 1];
    V next[kVoices + 1];
    for (int i = 0; i < kVoices; ++i) push[i] = bowPush(v[i].bow, v[i].contact);
    for (int i = 0; i < kVoices; ++i)
      next[i] = v[i].frame(push[i], voices[i].mid[t], voices[i].side[t]);
    next[kVoices] = V::zero();
    for (int i = 0; i < kVoices; i += 2) V::reduce2(next[i], next[i + 1], before[i], before[i + 1]);
    for (int i = 0; i < kVoices; ++i) {
      v[i].contact = before[i] + v[i].coupled * push[i];
      v[i].listen(voices[i], t, lanes);
    }
  }
  for (int i = 0; i < kVoices; ++i) {
    if (voices[i].bow.contact != nullptr) *voices[i].bow.contact = v[i].contact;
    v[i].r.store(voices[i].modes);
  }
}

// `together` (1..kVoices) voices side by side, compiled for each count.
template <typename V, int kGroups, int kVoices = kBowedTogether>
inline void renderBowedRun(const BowedVoice* voices, int together, int frames) {
  if constexpr (kVoices > 1) {
    if (together < kVoices)
      return renderBowedRun<V, kGroups, kVoices - 1>(voices, together, frames);
  }
  renderBowedGroups<V, kGroups, kVoices>(voices, frames);
}

// Up to kTogether (at most kBowedTogether) voices at a time, as the ISA's registers allow.
template <typename V, int kTogether = kBowedTogether>
inline void renderBowedWith(const BowedVoice* voices, int count, int frames) {
  static_assert(kTogether >= 1 && kTogether <= kBowedTogether);
  if (frames <= 0) return;
  for (int first = 0; first < count;) {
    // Neighbours with the same group count render side by side: frame by frame they still add
    // to the output in the order given.
    const int groups = voices[first].modes.groups;
    int together = 1;
    while (together < kTogether && first + together < count &&
           voices[first + together].modes.groups == groups)
      ++together;
    if (groups > 0) {
      withGroups(groups, [&](auto g) {
        renderBowedRun<V, decltype(g)::value, kTogether>(voices + first, together, frames);
      });
    }
    first += together;
  }
}

}  // namespace
}  // namespace reverie::dsp
