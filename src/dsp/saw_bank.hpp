// Four band-limited sawtooth oscillators on one base frequency, one per SIMD lane (PolyBLEP).
#pragma once

#include <initializer_list>

#include "dsp/float4.hpp"
#include "dsp/lane_mixdown.hpp"
#include "dsp/pitch_glide.hpp"

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#endif

namespace reverie::dsp {

/// Lane i runs at base x ratio[i] cycles per sample; the base may change every sample (a
/// glide) at the cost of two multiplies. Same correction as PolyBlepOscillator's saw
/// (Välimäki & Huovilainen, IEEE SPM 2007), written without branches so the lanes share one
/// instruction stream: +(1 - t/dt)^2 just after the wrap, -(1 + (t-1)/dt)^2 just before it.
class SawBank {
 public:
  /// Phases in cycles, [0, 1).
  void setPhases(Float4 phases) { phase_ = phases; }
  Float4 phases() const { return phase_; }
  /// Control rate: frequency multipliers of the base (detune, vibrato), each > 0.
  void setRatios(Float4 ratios) {
    ratio_ = ratios;
    inverseRatio_ = 1.0f / ratios;
  }
  Float4 ratios() const { return ratio_; }
  Float4 inverseRatios() const { return inverseRatio_; }

  /// One sample of each lane in [-1, 1]. Needs 0 < base x ratio < 0.5 and inverseBase = 1/base
  /// (kept by the caller, so a per-sample pitch change costs no division here).
  Float4 next(float base, float inverseBase) {
    return next(ratio_ * base, inverseRatio_ * inverseBase);
  }

  /// The same with each lane's increment and its inverse given: while the pitch holds still
  /// the caller computes them once per span.
  Float4 next(Float4 cyclesPerSample, Float4 inverseCycles) {
    const Float4 t = phase_;
    const Float4 scaled = t * inverseCycles;
    const Float4 afterWrap = positivePart(1.0f - scaled);
    const Float4 beforeWrap = positivePart((scaled - inverseCycles) + 1.0f);
    const Float4 value = (t + t) - 1.0f + afterWrap * afterWrap - beforeWrap * beforeWrap;
    const Float4 advanced = t + cyclesPerSample;
    // Subtract 1 where the phase passed it: the comparison's all-ones mask selects 1.0f.
    phase_ = advanced - reinterpret_cast<Float4>(reinterpret_cast<Int4>(advanced >= 1.0f) &
                                                 reinterpret_cast<Int4>(broadcast(1.0f)));
    return value;
  }
  /// Each lane's increment and its inverse for a base pitch, for next() above.
  void increments(float base, float inverseBase, Float4& cyclesPerSample,
                  Float4& inverseCycles) const {
    cyclesPerSample = ratio_ * base;
    inverseCycles = inverseRatio_ * inverseBase;
  }
  /// The same at the pitch a PitchGlide stands at now (in float); returns that base pitch.
  float increments(const PitchGlide& pitch, Float4& cyclesPerSample, Float4& inverseCycles) const {
    const float base = static_cast<float>(pitch.cyclesPerSample());
    increments(base, static_cast<float>(pitch.inverse()), cyclesPerSample, inverseCycles);
    return base;
  }

  /// Regroups four banks lane for bank: out[k] lane v becomes in[v] lane k, so that
  /// oscillator k of four voices runs side by side.
  static void regroup(const SawBank* const in[4], SawBank out[4]) {
    for (Float4 SawBank::*member : {&SawBank::phase_, &SawBank::ratio_, &SawBank::inverseRatio_}) {
      Float4 a = in[0]->*member, b = in[1]->*member, c = in[2]->*member, d = in[3]->*member;
      transpose(a, b, c, d);
      out[0].*member = a, out[1].*member = b, out[2].*member = c, out[3].*member = d;
    }
  }
  /// Hands the phases of regrouped banks back to their owners (null owners are skipped).
  static void restorePhases(const SawBank regrouped[4], SawBank* const owners[4]) {
    Float4 a = regrouped[0].phase_, b = regrouped[1].phase_, c = regrouped[2].phase_,
           d = regrouped[3].phase_;
    transpose(a, b, c, d);
    const Float4 lanes[4] = {a, b, c, d};
    for (int v = 0; v < 4; ++v)
      if (owners[v] != nullptr) owners[v]->phase_ = lanes[v];
  }

 private:
  static Float4 positivePart(Float4 x) {
#if defined(__SSE__) || defined(__x86_64__)
    return reinterpret_cast<Float4>(_mm_max_ps(reinterpret_cast<__m128>(x), _mm_setzero_ps()));
#else
    return max(x, broadcast(0.0f));
#endif
  }

  Float4 phase_ = {0.0f, 0.0f, 0.0f, 0.0f};
  Float4 ratio_ = {1.0f, 1.0f, 1.0f, 1.0f};
  Float4 inverseRatio_ = {1.0f, 1.0f, 1.0f, 1.0f};
};

}  // namespace reverie::dsp
