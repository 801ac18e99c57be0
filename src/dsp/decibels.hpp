// Decibels to linear gain and back: the conversions every level parameter and meter uses.
#pragma once

#include <algorithm>
#include <cmath>

namespace reverie::dsp {

/// At or under this a level parameter is silence (the floor of every level row).
inline constexpr float kSilentDecibels = -96.0f;

/// A level parameter's dB to linear gain, in float for the audio thread; -96 dB and below is
/// silence (exactly 0).
inline float decibelsToGain(float db) {
  return db <= kSilentDecibels ? 0.0f : std::pow(10.0f, db * 0.05f);
}

/// dB to a linear amplitude ratio in double, exactly 10^(dB / 20), no floor: for measurement.
inline double decibelsToRatio(double db) {
  return std::pow(10.0, db / 20.0);
}

/// A linear amplitude ratio to dB in double; zero, negatives and anything under `floorDb`
/// read as `floorDb`.
inline double ratioToDecibels(double ratio, double floorDb) {
  return ratio > 0.0 ? std::max(floorDb, 20.0 * std::log10(ratio)) : floorDb;
}

}  // namespace reverie::dsp
