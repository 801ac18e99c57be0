// A cough somewhere in the hall: one to three two-phase bursts of noise through the throat.
#pragma once

#include "dsp/formant_resonator.hpp"
#include "dsp/random.hpp"
#include "instruments/audience/placed_sound.hpp"

namespace reverie::audience {

/// Each burst has the two phases of a cough sound (Korpáš et al., "Analysis of the cough
/// sound", Eur. Respir. J. 9, 1996): an explosive phase (an attack of about 2 ms, 30 ms decay)
/// and a quieter, partly voiced intermediate phase (100-200 ms). Noise and a low buzz pass a
/// low-mid resonance (350-650 Hz) and a weaker upper one (1.2-2.4 kHz).
class Cough : public PlacedSound {
 public:
  /// Audio thread: begins a cough at `gain`, placed at `pan` (-1..1).
  void start(dsp::Random& random, float gain, float pan) noexcept;
  /// Audio thread: adds `frames` samples.
  void render(float* left, float* right, int frames) noexcept;

 private:
  void startBurst() noexcept;

  dsp::FormantResonator throat_, mouth_;
  dsp::Random noise_;
  // Envelopes as differences of decaying exponentials: explosive (attack, decay) and
  // intermediate (rise, decay), each pair a - b.
  float blastA_ = 0.0f, blastB_ = 0.0f, blastDecayA_ = 0.0f, blastDecayB_ = 0.0f;
  float tailA_ = 0.0f, tailB_ = 0.0f, tailDecayA_ = 0.0f, tailDecayB_ = 0.0f;
  float buzzPhase_ = 0.0f, buzzStep_ = 0.0f;
  float burstGain_ = 1.0f;
  int burstsLeft_ = 0, untilNextBurst_ = 0, spacingFrames_ = 0;
};

}  // namespace reverie::audience
