// A pitch that slides at a constant rate in cents: one multiply per sample while it moves.
#pragma once

#include <algorithm>
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

/// The pitch calls a sustained section voice (strings, winds) takes in Hz, on a PitchGlide at
/// the voice's sample rate. Voices derive from it and read pitch_ and sampleRate_ directly.
class VoicePitch {
 public:
  /// Sets the pitch at once, ending any glide. Cheap (one division): may be called every sample.
  void setFrequencyHz(double frequencyHz) noexcept {
    pitch_.set(playableCycles(frequencyHz, sampleRate_));
  }
  /// Slides from the current pitch to `frequencyHz` over `seconds`, linearly in cents.
  void glideTo(double frequencyHz, double seconds) noexcept {
    pitch_.glideTo(playableCycles(frequencyHz, sampleRate_),
                   std::lround(std::clamp(seconds, 0.0, 60.0) * sampleRate_));
  }
  /// Moves where the pitch is heading (pitch bend): a glide keeps its remaining time.
  void retarget(double frequencyHz) noexcept {
    pitch_.retarget(playableCycles(frequencyHz, sampleRate_));
  }
  /// The pitch now (mid-glide, without vibrato or detune).
  double frequencyHz() const noexcept { return pitch_.cyclesPerSample() * sampleRate_; }

 protected:
  PitchGlide pitch_;
  double sampleRate_ = 48000.0;
};

}  // namespace reverie::dsp
