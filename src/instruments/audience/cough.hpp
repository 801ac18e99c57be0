// A cough somewhere in the hall: one to three two-phase bursts of noise through the throat.
#pragma once

#include "dsp/formant_resonator.hpp"
#include "dsp/random.hpp"

namespace reverie::audience {

/// Each burst has the two phases of a cough sound (Korpáš et al., "Analysis of the cough
/// sound", Eur. Respir. J. 9, 1996): an explosive phase (an attack of about 2 ms, 30 ms decay)
/// and a quieter, partly voiced intermediate phase (100-200 ms). Noise and a low buzz pass a
/// low-mid resonance (350-650 Hz) and a weaker upper one (1.2-2.4 kHz).
class Cough {
 public:
  /// Control thread.
  void prepare(double sampleRate) { sampleRate_ = sampleRate; }
  /// Audio thread: begins a cough at `gain`, placed at `pan` (-1..1).
  void start(dsp::Random& random, float gain, float pan) noexcept;
  bool active() const noexcept { return active_; }
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
  float gainLeft_ = 0.0f, gainRight_ = 0.0f, burstGain_ = 1.0f;
  int burstsLeft_ = 0, untilNextBurst_ = 0, spacingFrames_ = 0;
  double sampleRate_ = 48000.0;
  bool active_ = false;
};

}  // namespace reverie::audience
