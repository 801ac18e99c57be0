// A constant-peak-gain two-pole resonator: the formant filter of voices, claps and coughs.
#pragma once

#include "dsp/math_constants.hpp"

namespace reverie::dsp {

/// y[n] = gain (x[n] - x[n-2]) + a1 y[n-1] + a2 y[n-2]. With zeros at z = +-1 and
/// gain = (1 - R^2) / 2 the peak gain is exactly 1 whatever the centre (Smith & Angell, "A
/// constant-gain digital resonator tuned by a single coefficient", CMJ 6(4), 1982); the peak
/// level is then folded into `gain`. It is RBJ's band-pass ("constant skirt gain") scaled to
/// a unity peak.
struct ResonatorCoefficients {
  float gain = 0.0f, a1 = 0.0f, a2 = 0.0f;
};

/// cos(x) for |x| <= pi/2, Taylor to x^12 (error under 1e-8): coefficient updates at control
/// rate without a libm call.
inline float cosineNearZero(float x) {
  const float x2 = x * x;
  return 1.0f + x2 * (-1.0f / 2.0f +
                      x2 * (1.0f / 24.0f +
                            x2 * (-1.0f / 720.0f +
                                  x2 * (1.0f / 40320.0f +
                                        x2 * (-1.0f / 3628800.0f + x2 * (1.0f / 479001600.0f))))));
}

/// Centre and -3 dB bandwidth in cycles per sample (the centre is clamped to 0.0005..0.24, the
/// bandwidth to 0.0001..0.1), peak level linear. Pole radius R = e^(-pi B): Taylor to B^4,
/// plenty for bandwidths under a tenth of the sample rate.
inline ResonatorCoefficients resonatorCoefficients(float centreCycles, float bandwidthCycles,
                                                   float peakGain) {
  const float c = centreCycles < 0.0005f ? 0.0005f : (centreCycles > 0.24f ? 0.24f : centreCycles);
  const float b =
      bandwidthCycles < 0.0001f ? 0.0001f : (bandwidthCycles > 0.1f ? 0.1f : bandwidthCycles);
  const float x = kPiF * b;
  const float radius = 1.0f - x * (1.0f - x * (0.5f - x * (1.0f / 6.0f - x * (1.0f / 24.0f))));
  const float theta = kTwoPiF * c;
  return {0.5f * (1.0f - radius * radius) * peakGain, 2.0f * radius * cosineNearZero(theta),
          -radius * radius};
}

/// One resonator, sample by sample (for the occasional sounds; voices run four in SIMD lanes).
class FormantResonator {
 public:
  void set(const ResonatorCoefficients& c) { c_ = c; }
  void reset() { x1_ = x2_ = y1_ = y2_ = 0.0f; }
  float process(float x) {
    const float y = c_.gain * (x - x2_) + c_.a1 * y1_ + c_.a2 * y2_;
    x2_ = x1_;
    x1_ = x;
    y2_ = y1_;
    y1_ = y;
    return y;
  }

 private:
  ResonatorCoefficients c_;
  float x1_ = 0.0f, x2_ = 0.0f, y1_ = 0.0f, y2_ = 0.0f;
};

}  // namespace reverie::dsp
