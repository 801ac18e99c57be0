// A pitch that slides at a constant rate in cents: one multiply per sample while it moves.
#pragma once

#include <cmath>

namespace reverie::dsp {

/// A frequency as cycles per sample, kept between 5 Hz and 0.4 of the sample rate: below 0.45
/// cycles per sample, where a PolyBLEP oscillator's correction still holds.
inline double playableCycles(double frequencyHz, double sampleRate) {
  const double hz =
      frequencyHz > 5.0 ? (frequencyHz < 0.4 * sampleRate ? frequencyHz : 0.4 * sampleRate) : 5.0;
  return hz / sampleRate;
}

/// Frequency in cycles per sample, with its inverse kept alongside (for PolyBLEP). A glide is
/// geometric, so linear in pitch; it runs in double precision, because a five-second glide's
/// per-sample ratio differs from 1 by less than float resolution resolves.
class PitchGlide {
 public:
  /// At once, ending any glide.
  void set(double cyclesPerSample) {
    cycles_ = target_ = cyclesPerSample;
    inverse_ = 1.0 / cyclesPerSample;
    framesLeft_ = 0;
  }
  /// Slides from the current pitch to `cyclesPerSample` over `frames` samples.
  void glideTo(double cyclesPerSample, long frames) {
    if (frames < 1) return set(cyclesPerSample);
    target_ = cyclesPerSample;
    framesLeft_ = frames;
    step_ = std::pow(target_ / cycles_, 1.0 / static_cast<double>(frames));
    inverseStep_ = 1.0 / step_;
  }
  /// Moves the destination; a glide in progress keeps its remaining time.
  void retarget(double cyclesPerSample) {
    if (framesLeft_ > 0) return glideTo(cyclesPerSample, framesLeft_);
    set(cyclesPerSample);
  }
  bool gliding() const { return framesLeft_ > 0; }
  /// Advances one sample.
  void next() {
    if (framesLeft_ == 0) return;
    if (--framesLeft_ == 0) return set(target_);
    cycles_ *= step_;
    inverse_ *= inverseStep_;
  }
  double cyclesPerSample() const { return cycles_; }
  double inverse() const { return inverse_; }

 private:
  double cycles_ = 0.01, inverse_ = 100.0, target_ = 0.01, step_ = 1.0, inverseStep_ = 1.0;
  long framesLeft_ = 0;
};

}  // namespace reverie::dsp
