// State-variable filter, topology-preserving transform: stable under fast modulation.
#pragma once

#include <cmath>

#include "dsp/math_constants.hpp"

namespace reverie::dsp {

/// Zavalishin, "The Art of VA Filter Design" (2012), ch. 4; Simper's trapezoidal SVF form.
class Svf {
 public:
  /// cutoff in cycles per sample (clamped below Nyquist), resonance 0..1.
  void setCoefficients(float cyclesPerSample, float resonance) {
    setDamping(cyclesPerSample,
               2.0f - 1.98f * (resonance < 0.0f ? 0.0f : (resonance > 1.0f ? 1.0f : resonance)));
  }
  /// cutoff in cycles per sample (clamped below Nyquist) and the damping k itself (2: none
  /// resonant; a Butterworth cascade's stages take 2 cos of their pole angles).
  void setDamping(float cyclesPerSample, float damping) {
    const float f =
        cyclesPerSample < 1e-5f ? 1e-5f : (cyclesPerSample > 0.49f ? 0.49f : cyclesPerSample);
    g_ = std::tan(kPiF * f);
    k_ = damping;
    a1_ = 1.0f / (1.0f + g_ * (g_ + k_));
    a2_ = g_ * a1_;
    a3_ = g_ * a2_;
  }
  void reset() { ic1_ = ic2_ = 0.0f; }
  float lowPass(float x) {
    float v1, v2;
    tick(x, v1, v2);
    return v2;
  }
  float highPass(float x) {
    float v1, v2;
    tick(x, v1, v2);
    return x - k_ * v1 - v2;
  }

 private:
  /// One trapezoidal step: v1 the band-pass state, v2 the low-pass output.
  void tick(float x, float& v1, float& v2) {
    const float v3 = x - ic2_;
    v1 = a1_ * ic1_ + a2_ * v3;
    v2 = ic2_ + a2_ * ic1_ + a3_ * v3;
    ic1_ = 2.0f * v1 - ic1_;
    ic2_ = 2.0f * v2 - ic2_;
  }

  float g_ = 0.0f, k_ = 2.0f, a1_ = 1.0f, a2_ = 0.0f, a3_ = 0.0f;
  float ic1_ = 0.0f, ic2_ = 0.0f;
};

}  // namespace reverie::dsp
