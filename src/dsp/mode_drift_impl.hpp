// The drift step written once as a plain loop over the modes, which each ISA's file compiles
// (and vectorizes) for itself; include only from the modal_kernel_*.cpp files, like
// modal_kernel_impl.hpp. No standard headers, no fused steps: every ISA rounds alike.
#pragma once

#include "dsp/mode_drift.hpp"

namespace reverie::dsp {
namespace {

// exp(x) by Taylor to x^9: below 1e-14 off for the shipped drifts (|x| < 0.18), 2e-11 at the
// most any drift reaches (50 cents at 13 octaves from the principal, |x| < 0.4).
inline double expSmall(double x) {
  double term = 1.0, sum = 1.0;
  for (int k = 1; k <= 9; ++k) {
    term *= x / k;
    sum += term;
  }
  return sum;
}

// cos(d) and sin(d) by Taylor to d^12 and d^13: below 1e-14 off for |d| < 0.6 rad, 2e-9 at
// 1.5 rad (the most a drift turns a mode), both far under a float coefficient's rounding.
inline void cosSinSmall(double d, double& cosine, double& sine) {
  const double d2 = d * d;
  cosine = 1.0 +
           d2 * (-1.0 / 2 +
                 d2 * (1.0 / 24 +
                       d2 * (-1.0 / 720 +
                             d2 * (1.0 / 40320 + d2 * (-1.0 / 3628800 + d2 * (1.0 / 479001600))))));
  sine =
      d * (1.0 +
           d2 * (-1.0 / 6 +
                 d2 * (1.0 / 120 +
                       d2 * (-1.0 / 5040 + d2 * (1.0 / 362880 + d2 * (-1.0 / 39916800 +
                                                                      d2 * (1.0 / 6227020800)))))));
}

inline void driftModesWith(const DriftInputs& in, float* c, float* s, int modes) {
  // The arrays and constants in locals, so the compiler sees the loop's bounds and vectorizes it.
  const double *offsetCos = in.offsetCos, *offsetSin = in.offsetSin, *depth = in.depth;
  const double *baseOmega = in.baseOmega, *baseCos = in.baseCos, *baseSin = in.baseSin;
  const double* radii = in.radius;
  const double phaseCos = in.phaseCos, phaseSin = in.phaseSin, perDepth = in.perDepth;
  const double nyquist = in.nyquist;
  for (int m = 0; m < modes; ++m) {
    const double spiral = phaseSin * offsetCos[m] + phaseCos * offsetSin[m];
    const double omega = baseOmega[m] * expSmall(perDepth * depth[m] * spiral);
    const double decay = radii[m];
    const double radius = omega < nyquist ? decay : 0.0;  // past Nyquist the mode stops
    double turnCos = 1.0, turnSin = 0.0;
    cosSinSmall(omega - baseOmega[m], turnCos, turnSin);
    c[m] = static_cast<float>(radius * (baseCos[m] * turnCos - baseSin[m] * turnSin));
    s[m] = static_cast<float>(radius * (baseSin[m] * turnCos + baseCos[m] * turnSin));
  }
}

}  // namespace
}  // namespace reverie::dsp
