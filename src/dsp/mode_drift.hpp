// A slow drift of every mode's pitch: each rotation turned from its undrifted one by the small
// angle the drift adds, over all the modes at once.
#pragma once

namespace reverie::dsp {

/// Per mode (arrays of `modes` doubles) and for the whole step, what a drift step reads.
struct DriftInputs {
  const double* offsetCos;  ///< cos and sin of the mode's phase offset in the drift's cycle
  const double* offsetSin;
  const double* depth;      ///< how far the mode drifts, relative to the others
  const double* baseOmega;  ///< the undrifted angle per frame, and its cosine and sine
  const double* baseCos;
  const double* baseSin;
  const double* radius;                   ///< the mode's per-frame decay
  double phaseCos = 1.0, phaseSin = 0.0;  ///< the drift cycle's phase now
  double perDepth = 0.0;  ///< the log of the frequency factor per unit of depth x offset sine
  double nyquist = 0.0;   ///< the angle past which a mode stops (pi)
};

/// Writes each mode's drifted rotation (r cos w, r sin w) to c[] and s[]: the frequency factor
/// exp(perDepth * depth * (sin(phase + offset))) by its series, the turn from the base angle by
/// its series (both far under a float's rounding at the depths a drift reaches), a mode past
/// Nyquist silenced. Every implementation gives the same bits.
using DriftKernel = void (*)(const DriftInputs& in, float* c, float* s, int modes);

}  // namespace reverie::dsp
