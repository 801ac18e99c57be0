// Band-limited oscillator: PolyBLEP saw and square, PolyBLAMP triangle, and sine.
#pragma once

#include <cmath>

#include "dsp/math_constants.hpp"

namespace reverie::dsp {

enum class Waveform { kSine = 0, kSaw = 1, kSquare = 2, kTriangle = 3 };

/// Phase and frequency in cycles per sample. Corrections after Välimäki & Huovilainen,
/// "Antialiasing oscillators in subtractive synthesis" (IEEE SPM 2007), and Esqueda et al.
/// (polyBLAMP, DAFx 2016) for the triangle's corners.
class PolyBlepOscillator {
 public:
  void reset(float phase = 0.0f) { phase_ = phase; }
  float phase() const { return phase_; }

  float next(Waveform waveform, float cyclesPerSample) {
    const float dt =
        cyclesPerSample < 0.0f ? 0.0f : (cyclesPerSample > 0.49f ? 0.49f : cyclesPerSample);
    const float t = phase_;
    float value = 0.0f;
    switch (waveform) {
      case Waveform::kSine:
        value = std::sin(kTwoPiF * t);
        break;
      case Waveform::kSaw:
        value = 2.0f * t - 1.0f - blep(t, dt);
        break;
      case Waveform::kSquare:
        value = (t < 0.5f ? 1.0f : -1.0f) + blep(t, dt) - blep(wrap(t + 0.5f), dt);
        break;
      case Waveform::kTriangle:
        // Corners at 0 (slope -4 -> +4) and 0.5 (+4 -> -4): a change of 8*dt per sample.
        value = 1.0f - 4.0f * std::fabs(t - 0.5f);
        value += 8.0f * dt * (blamp(t, dt) - blamp(wrap(t + 0.5f), dt));
        break;
    }
    phase_ = wrap(t + dt);
    return value;
  }

 private:
  static float wrap(float x) { return x >= 1.0f ? x - 1.0f : x; }
  // Two-sample polynomial step residual around a discontinuity at phase 0.
  static float blep(float t, float dt) {
    if (dt <= 0.0f) return 0.0f;
    if (t < dt) {
      const float x = t / dt;
      return x + x - x * x - 1.0f;
    }
    if (t > 1.0f - dt) {
      const float x = (t - 1.0f) / dt;
      return x * x + x + x + 1.0f;
    }
    return 0.0f;
  }
  // Integrated BLEP residual for a unit slope change at phase 0: (1 - |x|)^3 / 6.
  static float blamp(float t, float dt) {
    if (dt <= 0.0f) return 0.0f;
    float x = 1.0f;
    if (t < dt)
      x = t / dt;
    else if (t > 1.0f - dt)
      x = (1.0f - t) / dt;
    const float r = 1.0f - x;
    return r * r * r * (1.0f / 6.0f);
  }
  float phase_ = 0.0f;
};

}  // namespace reverie::dsp
