// Murmur: the babble of many talkers, each a formant-filtered voice with syllables and pauses.
#pragma once

#include <cstdint>

#include "dsp/float4.hpp"
#include "dsp/noise_quad.hpp"
#include "dsp/random.hpp"

namespace reverie::audience {

/// kMaxTalkers people talking at once, four per SIMD quad. Each talker's source mixes a soft
/// glottal buzz (a parabolic wave, -12 dB per octave, so it cannot alias audibly) with noise;
/// each syllable (3-6 a second, a pause now and then) picks a new vowel, F1 and F2 from
/// Peterson & Barney's averages ("Control methods used in a study of the vowels", JASA 24(2),
/// 1952) with some scatter, and a new pitch on the talker's intonation; the syllable's
/// amplitude is an arch. Pitch and vowel keep moving, so no partial stays long enough to
/// stand out of the spectrum.
class Babble {
 public:
  static constexpr int kMaxTalkers = 12;
  static constexpr int kTickFrames = 32;

  void prepare(double sampleRate, std::uint64_t seed);
  /// Audio thread, each control tick: `murmur` 0..1 is the level, `size` 0..1 the crowd
  /// (4 to 12 talkers), `spread` the width.
  void control(float murmur, float size, float spread) noexcept;
  /// Audio thread: adds `frames` (<= kTickFrames) samples.
  void render(float* left, float* right, int frames) noexcept;
  bool idle() const noexcept { return activeQuads_ == 0; }

 private:
  static constexpr int kQuads = kMaxTalkers / 4;
  struct Talker {
    float syllablePhase = 0.0f, syllableStep = 0.0f;  // cycles per tick
    float syllableLevel = 0.0f;
    float pitchHz = 150.0f, pitchTargetHz = 150.0f, basePitchHz = 150.0f;
    float seat = 0.0f;
    bool female = false;
  };
  void newSyllable(int talker, bool speaking) noexcept;

  Talker talkers_[kMaxTalkers];
  dsp::Float4 phase_[kQuads]{}, cycles_[kQuads]{};
  dsp::Float4 voiced_[kQuads]{}, unvoiced_[kQuads]{};
  dsp::NoiseQuad noise_[kQuads];
  dsp::Float4 in1_[kQuads]{}, in2_[kQuads]{};
  dsp::Float4 f1Out1_[kQuads]{}, f1Out2_[kQuads]{}, f2Out1_[kQuads]{}, f2Out2_[kQuads]{};
  dsp::Float4 f1Gain_[kQuads]{}, f1A1_[kQuads]{}, f1A2_[kQuads]{};
  dsp::Float4 f2Gain_[kQuads]{}, f2A1_[kQuads]{}, f2A2_[kQuads]{};
  dsp::Float4 amplitude_[kQuads]{}, amplitudeStep_[kQuads]{};
  dsp::Float4 panLeft_[kQuads]{}, panRight_[kQuads]{};
  dsp::Random random_;
  double sampleRate_ = 48000.0;
  int activeQuads_ = 0;
};

}  // namespace reverie::audience
