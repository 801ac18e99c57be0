// The kettledrum's membrane modes: frequencies as air loading tunes them, decays, strike weights.
#pragma once

namespace reverie::orchestra {

/// One mode of a kettledrum head: m nodal diameters, n nodal circles (the rim counted).
struct MembraneMode {
  int m, n;
  double ratio;       ///< frequency over the principal (1,1) mode's
  double besselZero;  ///< j_mn: the mode's shape is J_m(j_mn r / a) cos(m theta)
  double shapePeak;   ///< the largest |J_m| inside the head, to normalise strike weights
  double decayScale;  ///< T60 over the (1,1) mode's T60
  double level;       ///< relative level heard from the drum, before the strike weight
};

inline constexpr int kMembraneModeCount = 10;

/// Ratios from the 65 cm kettledrum measured in Fletcher & Rossing, "The Physics of Musical
/// Instruments" (2nd ed.), table 18.3, and Rossing, "Science of Percussion Instruments", ch. 2:
/// air loading lowers the (1,1) mode most, leaving (1,1), (2,1), (3,1), (4,1) near 2:3:4:5
/// (1, 1.51, 1.99, 2.44 times the principal), (0,1) at 0.85, and the inharmonic (0,2), (1,2),
/// (2,2), (0,3) between them. Bessel zeros and the maxima of J_m are from Abramowitz & Stegun,
/// tables 9.5 and 9.1. Decays: the axisymmetric (0,n) modes radiate as monopoles and die
/// fastest (Rossing); the rest shorten with frequency. The head's denser modes above (5,1)
/// are the voice's attack noise.
extern const MembraneMode kMembraneModes[kMembraneModeCount];

/// J_m(x), the Bessel function of the first kind, by its power series (Abramowitz & Stegun
/// 9.1.10); within 1e-9 for 0 <= x <= 12.
double besselJ(int m, double x);

/// How strongly a strike at `position` (0 = centre, 1 = rim) drives `mode`: the mode's shape
/// there, over its largest value on the head (the sign of the shape kept).
double strikeWeight(const MembraneMode& mode, double position);

}  // namespace reverie::orchestra
