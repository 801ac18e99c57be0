// Four state-variable filters side by side, one per SIMD lane, with low- and band-pass outputs.
#pragma once

#include <cmath>
#include <initializer_list>

#include "dsp/float4.hpp"
#include "dsp/lane_mixdown.hpp"
#include "dsp/math_constants.hpp"

namespace reverie::dsp {

/// The trapezoidal (TPT) SVF of Zavalishin, "The Art of VA Filter Design" (2012), ch. 4, in
/// Simper's form as dsp::Svf, four at once: each lane has its own cutoff and Q and its own
/// input. Stable for any cutoff below Nyquist and any Q > 0, under fast modulation too.
/// Simper's update (v1 = a1 s1 + a2 (x - s2), v2 = s2 + a2 s1 + a3 (x - s2), s' = 2 v - s) is
/// multiplied out into a 2x2 state update on the same states, so each state waits on one
/// multiply and two adds per sample instead of five dependent operations: a voice's loop is
/// bound by this recursion's latency, not by its arithmetic.
class ParallelSvf {
 public:
  struct Outputs {
    Float4 lowPass;
    Float4 bandPass;  ///< peaks at gain Q at the cutoff: multiply by 1/Q for a unity peak
  };

  void reset() { ic1_ = ic2_ = broadcast(0.0f); }

  /// One lane: cutoff in cycles per sample (clamped to [1e-5, 0.45]) and Q (clamped >= 0.1;
  /// 0.707 is Butterworth). Calls std::tan: control rate, not per sample.
  void setLane(int lane, float cyclesPerSample, float q) {
    const float f =
        cyclesPerSample < 1e-5f ? 1e-5f : (cyclesPerSample > 0.45f ? 0.45f : cyclesPerSample);
    const float g = std::tan(kPiF * f);
    const float k = 1.0f / (q < 0.1f ? 0.1f : q);
    const float a1 = 1.0f / (1.0f + g * (g + k));
    const float a2 = g * a1, a3 = g * a2;
    a1_[lane] = a1;
    a2_[lane] = a2;
    a3_[lane] = a3;
    b3_[lane] = 1.0f - a3;
    c11_[lane] = 2.0f * a1 - 1.0f;
    c12_[lane] = 2.0f * a2;
    c22_[lane] = 1.0f - 2.0f * a3;
    d2_[lane] = 2.0f * a3;
    updateMix();
  }

  /// Every lane alike (one std::tan).
  void setAllLanes(float cyclesPerSample, float q) {
    setLane(0, cyclesPerSample, q);
    for (Float4* c : {&a1_, &a2_, &a3_, &b3_, &c11_, &c12_, &c22_, &d2_}) *c = broadcast((*c)[0]);
    updateMix();
  }

  /// What processMixed() returns per lane: low x lowGain + band x bandGain + input x directGain.
  void setMix(Float4 lowGain, Float4 bandGain, Float4 directGain) {
    lowGain_ = lowGain;
    bandGain_ = bandGain;
    directGain_ = directGain;
    updateMix();
  }

  Outputs process(Float4 x) {
    const Float4 s1 = ic1_, s2 = ic2_;
    // s1' = 2 v1 - s1 and s2' = 2 v2 - s2, each state's own term added last.
    ic1_ = c12_ * (x - s2) + c11_ * s1;
    ic2_ = (c12_ * s1 + d2_ * x) + c22_ * s2;
    return {a2_ * s1 + b3_ * s2 + a3_ * x, a1_ * s1 + a2_ * (x - s2)};
  }

  /// One sample, each lane's outputs mixed as setMix() says, for the cost of one output.
  Float4 processMixed(Float4 x) {
    const Float4 s1 = ic1_, s2 = ic2_;
    ic1_ = c12_ * (x - s2) + c11_ * s1;
    ic2_ = (c12_ * s1 + d2_ * x) + c22_ * s2;
    return (m1_ * s1 + m2_ * s2) + m3_ * x;
  }

  /// Regroups four banks lane for bank: out[k] lane v becomes in[v] lane k (a 4x4 transpose
  /// of every coefficient and state), so that filter k of four voices runs side by side.
  static void regroup(const ParallelSvf* const in[4], ParallelSvf out[4]) {
    // What processMixed() reads and writes.
    for (Float4 ParallelSvf::*member :
         {&ParallelSvf::c11_, &ParallelSvf::c12_, &ParallelSvf::c22_, &ParallelSvf::d2_,
          &ParallelSvf::m1_, &ParallelSvf::m2_, &ParallelSvf::m3_, &ParallelSvf::ic1_,
          &ParallelSvf::ic2_}) {
      Float4 a = in[0]->*member, b = in[1]->*member, c = in[2]->*member, d = in[3]->*member;
      transpose(a, b, c, d);
      out[0].*member = a, out[1].*member = b, out[2].*member = c, out[3].*member = d;
    }
  }
  /// Hands the states of regrouped banks back to their owners (null owners are skipped).
  static void restoreStates(const ParallelSvf regrouped[4], ParallelSvf* const owners[4]) {
    for (Float4 ParallelSvf::*member : {&ParallelSvf::ic1_, &ParallelSvf::ic2_}) {
      Float4 a = regrouped[0].*member, b = regrouped[1].*member, c = regrouped[2].*member,
             d = regrouped[3].*member;
      transpose(a, b, c, d);
      const Float4 lanes[4] = {a, b, c, d};
      for (int v = 0; v < 4; ++v)
        if (owners[v] != nullptr) owners[v]->*member = lanes[v];
    }
  }

 private:
  // low = a2 s1 + (1 - a3) s2 + a3 x and band = a1 s1 - a2 s2 + a2 x, gathered by state.
  void updateMix() {
    m1_ = lowGain_ * a2_ + bandGain_ * a1_;
    m2_ = lowGain_ * b3_ - bandGain_ * a2_;
    m3_ = lowGain_ * a3_ + bandGain_ * a2_ + directGain_;
  }

  Float4 a1_ = {1.0f, 1.0f, 1.0f, 1.0f};
  Float4 a2_ = {0.0f, 0.0f, 0.0f, 0.0f};
  Float4 a3_ = {0.0f, 0.0f, 0.0f, 0.0f};
  Float4 b3_ = {1.0f, 1.0f, 1.0f, 1.0f};
  Float4 c11_ = {1.0f, 1.0f, 1.0f, 1.0f};
  Float4 c12_ = {0.0f, 0.0f, 0.0f, 0.0f};
  Float4 c22_ = {1.0f, 1.0f, 1.0f, 1.0f};
  Float4 d2_ = {0.0f, 0.0f, 0.0f, 0.0f};
  Float4 lowGain_ = {1.0f, 1.0f, 1.0f, 1.0f};
  Float4 bandGain_ = {0.0f, 0.0f, 0.0f, 0.0f};
  Float4 directGain_ = {0.0f, 0.0f, 0.0f, 0.0f};
  Float4 m1_ = {0.0f, 0.0f, 0.0f, 0.0f};
  Float4 m2_ = {1.0f, 1.0f, 1.0f, 1.0f};
  Float4 m3_ = {0.0f, 0.0f, 0.0f, 0.0f};
  Float4 ic1_ = {0.0f, 0.0f, 0.0f, 0.0f};
  Float4 ic2_ = {0.0f, 0.0f, 0.0f, 0.0f};
};

}  // namespace reverie::dsp
