// CrystalVoice's pitch: each mode's rotation, the spiralling drift, and the bow's pitch
// tracking, with the clock that counts the principal's cycles (crystal_voice.cpp sets the voice
// up and renders it).
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

}  // namespace

void CrystalVoice::applyDrift(const VoiceSettings& s) {
  // Each mode's pitch wanders on a slow sine; successive modes are a golden angle apart in
  // phase, so the partials turn around one another like a spiral (seed 004's living crystal).
  // The depth grows with the octaves above the principal, which stays in tune.
  //
  // Every 256 frames for every mode: the rotation is turned from the undrifted one by the small
  // angle the drift adds, with short series instead of five calls into libm per mode (they cost
  // more than the modes' rendering did), in the widest vectors the CPU has (dsp::DriftKernel).
  // Same pitches to 1e-13.
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
  const dsp::DriftInputs drift{.offsetCos = kSpiral.cosine,
                               .offsetSin = kSpiral.sine,
                               .depth = driftDepth_,
                               .baseOmega = baseOmega_,
                               .baseCos = baseCos_,
                               .baseSin = baseSin_,
                               .radius = radius_,
                               .phaseCos = phaseCos,
                               .phaseSin = phaseSin,
                               .perDepth = perCent,
                               .nyquist = dsp::kPi};
  s.drift(drift, c_, s_, modes);
}

void CrystalVoice::retune(const VoiceSettings& s) {
  if (s.driftCents > 0.0) return applyDrift(s);
  for (int m = 0; m < modeCount_; ++m) tuneMode(m, noteHz_ * ratio_[m] * bowPitchScale_, s);
}

void CrystalVoice::PhaseClock::reset() {
  refRe = refIm = lastTurnedIm = 0.0;
  lastRe = lastIm = 0.0f;
  referenced = false;
  winding = most = 0;
  firstCycleFrame = lastCycleFrame = -1.0;
  cycles = 0;
}

void CrystalVoice::PhaseClock::listen(const float* re, const float* im, int frames,
                                      double firstFrame) {
  int t = 0;
  for (; t < frames && !referenced; ++t) {
    if (re[t] == 0.0f && im[t] == 0.0f) continue;  // silence has no direction yet
    refRe = re[t];
    refIm = im[t];
    referenced = true;
    lastTurnedIm = 0.0;
  }
  if (!referenced || frames <= 0) return;
  // The values turned back by the reference (and scaled by its size, which no sign minds).
  // Frame by frame only the imaginary part's sign is needed: the rest is worked out where the
  // value crosses the real axis, a few times a cycle.
  double last = lastTurnedIm;
  for (; t < frames; ++t) {
    const double y = im[t] * refRe - re[t] * refIm;
    // Every crossing changes which side of zero y is on (so may a NaN): turn() tells which.
    if ((last < 0.0) != (y < 0.0)) turn(re, im, t, last, y, firstFrame);
    last = y;
  }
  lastTurnedIm = last;
  lastRe = re[frames - 1];
  lastIm = im[frames - 1];
}

void CrystalVoice::PhaseClock::turn(const float* re, const float* im, int t, double lastY, double y,
                                    double firstFrame) {
  // Each step is below pi for a mode below Nyquist, so the chord from the last value crosses
  // the real axis on the side the arc does: a turn ends where it crosses the positive side.
  const bool up = lastY < 0.0 && y >= 0.0, down = lastY >= 0.0 && y < 0.0;
  if (!up && !down) return;
  const double lastX = (t > 0 ? re[t - 1] : lastRe) * refRe + (t > 0 ? im[t - 1] : lastIm) * refIm;
  const double x = re[t] * refRe + im[t] * refIm;
  if (!(lastX + (x - lastX) * (-lastY / (y - lastY)) > 0.0)) return;
  if (down) {
    --winding;
  } else if (++winding > most) {
    most = winding;
    // When, to a fraction of a frame: the angle left to the axis over this frame's step.
    const double left = -std::atan2(lastY, lastX);
    const double step = std::atan2(y * lastX - x * lastY, x * lastX + y * lastY);
    const double at = firstFrame + t - 1.0 + left / std::max(step, 1e-12);
    if (firstCycleFrame < 0.0) {
      firstCycleFrame = at;
    } else {
      lastCycleFrame = at;
      ++cycles;
    }
  }
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
