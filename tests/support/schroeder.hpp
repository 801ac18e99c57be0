// Reverberation time from an impulse response: Schroeder backward integration and a line fit.
#pragma once

#include <span>
#include <vector>

namespace reverie::test {

/// The energy decay curve in dB re its start (Schroeder, "New method of measuring
/// reverberation time", JASA 37, 1965): EDC(t) = sum of h^2 from t to the end. Summed over
/// every channel given, so a stereo response gives one curve. 0 dB at sample 0.
std::vector<double> energyDecayCurveDb(std::span<const std::span<const float>> channels);

/// RT60 in seconds from the EDC by a least-squares line through the samples between `fromDb`
/// and `toDb` (ISO 3382-1: T20 fits -5 to -25 dB, T30 -5 to -35 dB), extrapolated to 60 dB.
/// NaN if the curve never reaches `toDb`.
double rt60FromDecayCurve(const std::vector<double>& edcDb, double sampleRate, double fromDb = -5.0,
                          double toDb = -25.0);

/// RT60 (T20 by default) of a possibly multichannel impulse response.
double rt60BySchroeder(std::span<const std::span<const float>> channels, double sampleRate,
                       double fromDb = -5.0, double toDb = -25.0);

}  // namespace reverie::test
