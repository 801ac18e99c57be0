// A whisper nearby: a breathy, syllabic band of noise for a second or two.
#pragma once

#include "dsp/formant_resonator.hpp"
#include "dsp/random.hpp"
#include "instruments/audience/placed_sound.hpp"

namespace reverie::audience {

/// Whispered speech has no voicing: turbulent noise shaped by the formants, with F2 and the
/// sibilants (4-7 kHz) carrying it (Tartter, "Identifiability of vowels and speakers from
/// whispered syllables", Percept. Psychophys. 49(4), 1991). Syllables at 4-6 Hz, an arch each,
/// a hiss now and then.
class Whisper : public PlacedSound {
 public:
  /// Audio thread: a phrase of 1-2.5 s at `gain`, placed at `pan` (-1..1).
  void start(dsp::Random& random, float gain, float pan) noexcept;
  void render(float* left, float* right, int frames) noexcept;

 private:
  void newSyllable() noexcept;

  dsp::FormantResonator voice_, hiss_;
  dsp::Random random_;
  float syllablePhase_ = 0.0f, syllableStep_ = 0.0f, syllableLevel_ = 0.0f, hissLevel_ = 0.0f;
  int remaining_ = 0, length_ = 0;
};

}  // namespace reverie::audience
