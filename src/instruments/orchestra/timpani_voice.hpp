// One kettledrum: a modal membrane driven by a felt mallet's raised-cosine force pulse.
#pragma once

#include <cstdint>

#include "dsp/modal_kernel.hpp"
#include "instruments/orchestra/timpani_modes.hpp"

namespace reverie::orchestra {

/// Usage (audio thread, apart from prepare): tune() at note-on, strike() for every stroke
/// (it begins at the next rendered sample), renderDrums() over spans that end where any
/// drum's mallet contact ends (contactFrames()), checkSilence() on a fixed grid of frames,
/// damp() at key-up. The modes ring on across strokes and retunings.
///
/// Thirteen modes carry the pitch and the ring. The head's dense upper modes, which die
/// within about a tenth of a second, are a band of noise at each stroke (1.5 x the principal
/// up to the mallet's corner): the stick's tock, and the attack you hear in a roll. Drums render
/// together: those not under the mallet share modal-kernel calls (four per call), the attack noise
/// runs four drums to a SIMD vector.
class TimpaniVoice {
 public:
  /// Control thread: the sample rate and the voice's own seed (the attack noise).
  void prepare(double sampleRate, std::uint64_t seed);
  /// A new note: the (1,1) mode at principalHz, the (1,1) T60 t60Seconds (the others scaled
  /// from it), undamped. Ringing modes keep their amplitude (no click when a voice is reused).
  void tune(double principalHz, double t60Seconds);
  /// Pitch only (bend, pedal glissando): amplitudes and decays stay.
  void setFrequencyHz(double principalHz);
  /// Caps every mode's T60 at t60Seconds (the key went up).
  void damp(double t60Seconds);
  /// All sound off: the mallet lifts, the attack stops, the modes die within about 10 ms.
  void silence();
  /// A mallet stroke from the next rendered sample: force ~0..1.3, hardness 0..1 (soft felt
  /// to hard), position 0 (centre) .. 1 (rim). A stroke during another's contact replaces it.
  void strike(float force, float hardness, float position);
  /// Stops a drum whose modes and attack have died away (call on a fixed grid of frames).
  void checkSilence();

  /// Adds `frames` frames of `count` ringing drums to mid[] and side[]. `frames` must not pass
  /// the end of any drum's contact; `scratch` holds frames floats.
  static void renderDrums(TimpaniVoice* const* drums, int count, float* mid, float* side,
                          float* scratch, int frames, dsp::ModalKernel kernel);

  bool ringing() const { return ringing_; }
  /// Frames of mallet contact still to come (0: the drum rings freely).
  int contactFrames() const { return pulseLeft_; }
  /// Sum of the squared mode amplitudes, as of the last checkSilence().
  double energy() const { return energy_; }

 private:
  void setMode(int k, double hz);
  void renderContact(float* mid, float* side, float* scratch, int frames, dsp::ModalKernel kernel);

  static constexpr int kLanes = dsp::kModeLanes;
  alignas(64) float re_[kLanes] = {}, im_[kLanes] = {}, c_[kLanes] = {}, s_[kLanes] = {};
  alignas(64) float gain_[kLanes] = {}, side_[kLanes] = {};
  double radius_[kMembraneModeCount] = {};
  double t60_[kMembraneModeCount] = {};
  double sampleRate_ = 48000.0;
  double principalHz_ = 100.0;
  bool ringing_ = false;
  double energy_ = 0.0;
  // The mallet: 0.5 (1 - cos(2 pi n / L)) by the recurrence cos((n+1)w) = 2 cos w cos(nw) -
  // cos((n-1)w).
  int pulseLeft_ = 0;
  double pulseScale_ = 0.0, pulseTwoCos_ = 0.0, pulseCos_ = 1.0, pulsePrevCos_ = 1.0;
  // The attack: decaying noise through a band-pass (difference of two one-pole low-passes),
  // then two more low-passes at the upper corner.
  std::uint32_t noiseState_ = 1;  // xorshift32, seeded from the voice's seed
  float attackLevel_ = 0.0f, attackDecay_ = 0.0f, attackHigh_ = 0.0f, attackLow_ = 0.0f;
  float bandHigh_ = 0.0f, bandLow_ = 0.0f, bandTop_ = 0.0f, bandTop2_ = 0.0f;
};

}  // namespace reverie::orchestra
