// A cheer from the crowd: a "woo", a "yeah" or a whistle, each with its pitch contour.
#pragma once

#include "dsp/formant_resonator.hpp"
#include "dsp/polyblep_oscillator.hpp"
#include "dsp/random.hpp"
#include "instruments/audience/placed_sound.hpp"

namespace reverie::audience {

/// Voiced cheers are a PolyBLEP pulse through F1-F3 gliding from one vowel to the next (a
/// "woo" from /u/ toward /o/, a "yeah" from /j/ through /e/ to /ae/), on a rise-and-fall
/// pitch contour; a whistle is a sine gliding up and down between 1.2 and 3 kHz, sometimes
/// twice (the "wolf whistle"). Contours and formants update every kControlFrames samples from
/// the cheer's own start, so block boundaries never matter.
class Cheer : public PlacedSound {
 public:
  static constexpr int kControlFrames = 32;

  /// Audio thread: begins a cheer at `gain`, placed at `pan` (-1..1).
  void start(dsp::Random& random, float gain, float pan) noexcept;
  void render(float* left, float* right, int frames) noexcept;

 private:
  enum class Kind { kWhistle, kWoo, kYeah };
  /// A value moving start -> peak (at `peakAt` of the cheer) -> end, geometrically.
  struct Contour {
    float start = 1.0f, peak = 1.0f, end = 1.0f, peakAt = 0.5f;
    float at(float u) const;
  };
  void control() noexcept;

  Kind kind_ = Kind::kWoo;
  Contour pitchHz_, f1Hz_, f2Hz_;
  dsp::PolyBlepOscillator voice_;
  dsp::FormantResonator f1_, f2_, f3_;
  dsp::Random random_;
  float whistlePhase_ = 0.0f, cycles_ = 0.0f, gate_ = 1.0f, f2Level_ = 0.5f;
  float envelope_ = 0.0f;
  int length_ = 0, elapsed_ = 0;
  bool wolf_ = false;
};

}  // namespace reverie::audience
