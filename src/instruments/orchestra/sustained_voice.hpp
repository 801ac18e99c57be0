// What a sustained section voice (strings, winds) holds besides its sound: the pitch, the swell
// envelope, the random streams, the control countdown and the calls a section makes on them.
#pragma once

#include <cstdint>

#include "dsp/pitch_glide.hpp"
#include "dsp/random.hpp"
#include "dsp/swell_envelope.hpp"

namespace reverie::orchestra {

/// The base of StringVoice and WindVoice. The voices read and write these members directly
/// in their control updates and render loops; nothing here allocates, locks or throws.
class SustainedVoice : public dsp::VoicePitch {
 public:
  /// The note ends: fades over the settings' release time.
  void release() noexcept { envelope_.gateOff(); }
  /// Fades out within 5 ms (all sound off).
  void silence() noexcept { envelope_.fastRelease(); }
  bool active() const noexcept { return sounding_; }
  bool held() const noexcept { return envelope_.held(); }

 protected:
  /// The part of prepare() the voices share: the rate, a reset envelope updated every
  /// `controlFrames`, the seeded random streams, silence at 440 Hz.
  void prepareShared(double sampleRate, std::uint64_t seed, int controlFrames) noexcept {
    sampleRate_ = sampleRate;
    inverseRate_ = static_cast<float>(1.0 / sampleRate);
    envelope_.setSampleRate(static_cast<float>(sampleRate), controlFrames);
    envelope_.reset();
    sounding_ = false;
    amplitude_ = amplitudeStep_ = 0.0f;
    periodFrames_ = 0;
    random_.reseed(seed);
    noise_ = static_cast<std::uint32_t>(dsp::mixSeed(seed)) | 1u;
    pitch_.set(dsp::playableCycles(440.0, sampleRate_));
    tick_ = 0;
    controlTicks_ = 0;
  }

  dsp::SwellEnvelope envelope_;
  dsp::Random random_;
  float inverseRate_ = 1.0f / 48000.0f;
  float amplitude_ = 0.0f,
        amplitudeStep_ = 0.0f;  // envelope x gain at the period's start, and its ramp
  long controlTicks_ = 0;       // control updates since the note started
  int periodFrames_ = 0;        // samples rendered since the last control update
  int tick_ = 0;                // samples until the next control update
  std::uint32_t noise_ = 1;     // the voice's xorshift32 noise state
  bool sounding_ = false;
};

}  // namespace reverie::orchestra
