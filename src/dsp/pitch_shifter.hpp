// Delay-line pitch shifter: two crossfaded read taps sweeping through a window ("rotating heads").
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "dsp/math_constants.hpp"
#include "dsp/svf.hpp"

namespace reverie::dsp {

/// The rotating-tape-head shifter (Eventide H910 lineage; Dattorro, "Effect Design Part 2",
/// JAES 1997, §5): a tap whose delay sweeps linearly reads `ratio` times faster than the write;
/// at the end of the window it jumps back while a second tap, half a window apart, takes over.
/// Hann windows on the two taps sum to exactly one (no level pumping on broadband input). A
/// tone's phase jumps at each splice, so its output is a line cluster 1/window apart around
/// ratio * f (16.7 Hz apart for 60 ms): the classic warble, which a diffuser turns into shimmer.
class PitchShifter {
 public:
  /// Control thread: allocates for a sweep window of `windowFrames` plus up to
  /// `maxExtraDelayFrames` of fixed delay in front of it. `startPhase` (0..1) staggers the
  /// head positions so two shifters (left, right) do not jump at the same instants.
  void init(int windowFrames, int maxExtraDelayFrames, double startPhase = 0.0);
  /// Clears the delay line and the anti-alias filter; keeps the sizes.
  void reset();

  /// Audio thread: writes `x`, returns the shifted sample. `ratio` (0.5..4) is the frequency
  /// factor (2 = an octave up); `extraDelayFrames` (0..max) delays both taps.
  float process(float x, float ratio, float extraDelayFrames = 0.0f);

  /// The same split in two, for a loop that runs several frames at a time: tap(i, ...) is
  /// frame i's shifted sample (i frames after the next write; frames in order), and write(x,
  /// ...) stores the next frame's input. Taps for frames 0..n-1 and then their n writes give
  /// process()'s samples exactly while n + 2 <= extraDelayFrames: no tap reaches a frame
  /// written after the first of them.
  float tap(int ahead, float ratio, float extraDelayFrames);
  void write(float x, float ratio);

 private:
  static constexpr float kGuardFrames = 1.0f;  // the interpolator reads one frame ahead
  void store(float x, float ratio);
  float heads(unsigned writeAt, float ratio, float extraDelayFrames);
  float read(unsigned writeAt, float delayFrames) const;
  void updateAntiAlias(float ratio);

  std::vector<float> line_;
  unsigned mask_ = 0;
  unsigned write_ = 0;
  int windowFrames_ = 1;
  int maxExtraDelayFrames_ = 0;
  double startPhase_ = 0.0;
  double phase_ = 0.0;  // head 0's position in the window, 0..1; head 1 is half a window on
  float filteredRatio_ = 0.0f;
  Svf antiAliasA_, antiAliasB_;
};

// ---- implementation ----

inline void PitchShifter::init(int windowFrames, int maxExtraDelayFrames, double startPhase) {
  windowFrames_ = std::max(windowFrames, 4);
  maxExtraDelayFrames_ = std::max(maxExtraDelayFrames, 0);
  startPhase_ = startPhase - std::floor(startPhase);
  unsigned size = 1;
  while (size < static_cast<unsigned>(windowFrames_ + maxExtraDelayFrames_ + 8)) size <<= 1;
  line_.assign(size, 0.0f);
  mask_ = size - 1;
  reset();
}

inline void PitchShifter::reset() {
  std::fill(line_.begin(), line_.end(), 0.0f);
  write_ = 0;
  phase_ = startPhase_;
  filteredRatio_ = 0.0f;  // forces the filter coefficients on the first sample
  antiAliasA_.reset();
  antiAliasB_.reset();
}

// Reading `ratio` times faster decimates: anything above 0.5/ratio cycles per sample would fold
// back below Nyquist (and, in a feedback loop, climb again). A 4th-order Butterworth low-pass
// (two SVF sections, Q 0.54 and 1.31) in front of the line: measured at ratio 2, what folds
// below 0.3 cycles per sample is at least 29 dB down, below 0.2 at least 44 dB.
inline void PitchShifter::updateAntiAlias(float ratio) {
  filteredRatio_ = ratio;
  const float cutoff = 0.45f / std::max(ratio, 1.0f);
  antiAliasA_.setCoefficients(cutoff, 0.0768f);  // k = 1/Q = 2 - 1.98 r
  antiAliasB_.setCoefficients(cutoff, 0.6237f);
}

inline float PitchShifter::process(float x, float ratio, float extraDelayFrames) {
  ratio = std::clamp(ratio, 0.5f, 4.0f);
  store(x, ratio);
  const float y = heads(write_, ratio, extraDelayFrames);
  write_ = (write_ + 1) & mask_;
  return y;
}

inline float PitchShifter::tap(int ahead, float ratio, float extraDelayFrames) {
  return heads(write_ + static_cast<unsigned>(ahead), std::clamp(ratio, 0.5f, 4.0f),
               extraDelayFrames);
}

inline void PitchShifter::write(float x, float ratio) {
  store(x, std::clamp(ratio, 0.5f, 4.0f));
  write_ = (write_ + 1) & mask_;
}

inline void PitchShifter::store(float x, float ratio) {
  if (ratio != filteredRatio_) updateAntiAlias(ratio);
  line_[write_] = antiAliasB_.lowPass(antiAliasA_.lowPass(x));
}

// The two heads read at `writeAt` (the frame's write position); the heads move on.
inline float PitchShifter::heads(unsigned writeAt, float ratio, float extraDelayFrames) {
  const float extra = std::clamp(extraDelayFrames, 0.0f, static_cast<float>(maxExtraDelayFrames_));
  const double window = static_cast<double>(windowFrames_);
  const float phase0 = static_cast<float>(phase_);
  const float phase1 = phase0 < 0.5f ? phase0 + 0.5f : phase0 - 0.5f;
  // sin^2 and cos^2 of the same angle: Hann windows that sum to one, zero where a head jumps.
  const float s = std::sin(kPiF * phase0);
  const float weight0 = s * s;
  const float y =
      weight0 * read(writeAt, kGuardFrames + extra + phase0 * static_cast<float>(window)) +
      (1.0f - weight0) * read(writeAt, kGuardFrames + extra + phase1 * static_cast<float>(window));

  // The delay shrinks by (ratio - 1) frames per frame: the heads run `ratio` times as fast.
  phase_ += (1.0 - static_cast<double>(ratio)) / window;
  if (phase_ < 0.0) phase_ += 1.0;
  if (phase_ >= 1.0) phase_ -= 1.0;
  return y;
}

// 4-point, 3rd-order Hermite (Niemitalo, "Polynomial Interpolators for High-Quality
// Resampling of Oversampled Audio", 2001): flat to high frequencies at the cost of four reads.
inline float PitchShifter::read(unsigned writeAt, float delayFrames) const {
  const int whole = static_cast<int>(delayFrames);
  const float t = delayFrames - static_cast<float>(whole);
  const unsigned at = writeAt - static_cast<unsigned>(whole);
  const float newer = line_[(at + 1) & mask_];
  const float x0 = line_[at & mask_];
  const float x1 = line_[(at - 1) & mask_];
  const float older = line_[(at - 2) & mask_];
  const float c1 = 0.5f * (x1 - newer);
  const float c2 = newer - 2.5f * x0 + 2.0f * x1 - 0.5f * older;
  const float c3 = 0.5f * (older - newer) + 1.5f * (x0 - x1);
  return ((c3 * t + c2) * t + c1) * t + x0;
}

}  // namespace reverie::dsp
