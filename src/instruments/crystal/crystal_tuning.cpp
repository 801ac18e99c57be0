// CrystalVoice's pitch: each mode's rotation, the spiralling drift, and the bow's pitch
// tracking (crystal_voice.cpp sets the voice up and renders it).
#include <algorithm>
#include <cmath>
#include <limits>

#include "dsp/math_constants.hpp"
#include "instruments/crystal/crystal_voice.hpp"

namespace reverie::crystal {
namespace {

constexpr double kBowTrackGain = 0.6;  // of the log pitch error corrected per reading

// The spiral's phase offsets: mode m turns a golden angle after mode m - 1.
struct SpiralOffsets {
  double cosine[kMaxModes], sine[kMaxModes];
};
const SpiralOffsets kSpiral = [] {
  SpiralOffsets offsets{};
  for (int m = 0; m < kMaxModes; ++m) {
    offsets.cosine[m] = std::cos(kGoldenAngle * m);
    offsets.sine[m] = std::sin(kGoldenAngle * m);
  }
  return offsets;
}();

// exp(x) by Taylor to x^9: below 1e-14 off for the shipped drifts (|x| < 0.18), 2e-11 at the
// most any drift reaches (50 cents at 13 octaves from the principal, |x| < 0.4).
double expSmall(double x) {
  double term = 1.0, sum = 1.0;
  for (int k = 1; k <= 9; ++k) {
    term *= x / k;
    sum += term;
  }
  return sum;
}

// cos(d) and sin(d) by Taylor to d^12 and d^13: below 1e-14 off for |d| < 0.6 rad, 2e-9 at
// 1.5 rad (the most a drift turns a mode), both far under a float coefficient's rounding.
void cosSinSmall(double d, double& cosine, double& sine) {
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

}  // namespace

void CrystalVoice::applyDrift(const VoiceSettings& s) {
  // Each mode's pitch wanders on a slow sine; successive modes are a golden angle apart in
  // phase, so the partials turn around one another like a spiral (seed 004's living crystal).
  // The depth grows with the octaves above the principal, which stays in tune.
  //
  // Every 256 frames for every mode: the rotation is turned from the undrifted one by the small
  // angle the drift adds, with short series instead of five calls into libm per mode (they cost
  // more than the modes' rendering did). Same pitches to 1e-13.
  const double hz = noteHz_ * bowPitchScale_;
  const int modes = std::min(modeCount_, groups_ * dsp::kModeLanes);  // the ones still sounding
  if (hz != driftBaseHz_) {
    driftBaseHz_ = hz;
    for (int m = 0; m < modes; ++m) {
      baseOmega_[m] = dsp::kTwoPi * hz * ratio_[m] / s.sampleRate;
      baseCos_[m] = std::cos(baseOmega_[m]);
      baseSin_[m] = std::sin(baseOmega_[m]);
    }
  }
  bowContact_ = std::numeric_limits<float>::quiet_NaN();  // the modes move under the bow
  const double phase =
      dsp::kTwoPi * s.driftRateHz * static_cast<double>(voiceFrame_) / s.sampleRate;
  const double phaseCos = std::cos(phase), phaseSin = std::sin(phase);
  // exp2(cents / 1200) = exp(cents * ln 2 / 1200).
  const double perCent = s.driftCents * 0.69314718055994531 / 1200.0;
  const double nyquist = dsp::kPi;
  for (int m = 0; m < modes; ++m) {
    const double spiral = phaseSin * kSpiral.cosine[m] + phaseCos * kSpiral.sine[m];
    const double factor = expSmall(perCent * driftDepth_[m] * spiral);
    const double omega = baseOmega_[m] * factor;
    // Drifted past Nyquist, the mode stops.
    const double radius = omega < nyquist ? radius_[m] : 0.0;
    double turnCos = 1.0, turnSin = 0.0;
    cosSinSmall(omega - baseOmega_[m], turnCos, turnSin);
    c_[m] = static_cast<float>(radius * (baseCos_[m] * turnCos - baseSin_[m] * turnSin));
    s_[m] = static_cast<float>(radius * (baseSin_[m] * turnCos + baseCos_[m] * turnSin));
  }
}

void CrystalVoice::retune(const VoiceSettings& s) {
  if (s.driftCents > 0.0) return applyDrift(s);
  for (int m = 0; m < modeCount_; ++m) tuneMode(m, noteHz_ * ratio_[m] * bowPitchScale_, s);
}

void CrystalVoice::trackBowPitch(const VoiceSettings& s) {
  if (principalA_ < 0) return;
  const double target = dsp::kTwoPi * noteHz_ * principalRatio_ / s.sampleRate;
  // The pitch is read from whole cycles of the principal's phase (a pair summed: the line the
  // ear follows), timed from the same point of one cycle to the same point of a later one, so
  // the stick-slip cycle's uneven pace cancels. At least 2048 frames and 4 cycles a reading.
  trackedFrames_ += kCheckFrames;
  if (trackedFrames_ < 2048 || principalClock_.cycles < 4) return;
  trackedFrames_ = 0;
  const double advance = dsp::kTwoPi * principalClock_.cycles /
                         (principalClock_.lastCycleFrame - principalClock_.firstCycleFrame);
  principalClock_.cycles = 0;
  principalClock_.firstCycleFrame = principalClock_.lastCycleFrame;
  // Most of the log error per reading: the sounding pitch follows the modes' nearly one to
  // one, so this settles geometrically. Steps are capped at 100 cents, the scale at an
  // octave either way.
  const double step =
      std::clamp(kBowTrackGain * std::log2(target / advance), -100.0 / 1200.0, 100.0 / 1200.0);
  const double scale = std::clamp(bowPitchScale_ * std::exp2(step), 0.5, 2.0);
  if (scale == bowPitchScale_) return;
  bowPitchScale_ = scale;
  retune(s);
}

void CrystalVoice::setPitch(double noteHz, const VoiceSettings& s) {
  noteHz_ = noteHz;
  retune(s);
}

void CrystalVoice::tuneMode(int m, double hz, const VoiceSettings& s) {
  bowContact_ = std::numeric_limits<float>::quiet_NaN();  // the modes move under the bow
  // A new rotation angle at the same radius: the mode keeps its amplitude. Bent or drifted
  // past Nyquist, it stops.
  const double radius = hz < 0.5 * s.sampleRate ? radius_[m] : 0.0;
  const double omega = dsp::kTwoPi * hz / s.sampleRate;
  c_[m] = static_cast<float>(radius * std::cos(omega));
  s_[m] = static_cast<float>(radius * std::sin(omega));
}

}  // namespace reverie::crystal
