// Four choir voices side by side, one per SIMD lane: singers, glottal source, formant filters.
#pragma once

#include <cstdint>

#include "dsp/float4.hpp"
#include "dsp/formant_resonator.hpp"
#include "dsp/noise_quad.hpp"
#include "dsp/random.hpp"
#include "instruments/orchestra/vowel_table.hpp"

namespace reverie::orchestra::choir {

inline constexpr int kLanes = 4;
inline constexpr int kMaxSingers = 4;
/// Pitch, vibrato, jitter, envelope and loudness are updated every kControlFrames samples
/// (counted from the node's first sample, so block boundaries never matter).
inline constexpr int kControlFrames = 16;

/// What every voice reads at a control tick; the node fills it from its parameters.
struct ChoirSettings {
  float detuneCents = 8.0f;    ///< outermost singers' offset; the others evenly between
  float jitterCents = 3.0f;    ///< RMS of each singer's slow random pitch wander
  float vibratoCents = 25.0f;  ///< peak depth, once faded in
  float vibratoRateHz = 5.5f;
  float attackPerTick = 0.1f;    ///< one-pole step toward 1 per control tick while held
  float releasePerTick = 0.05f;  ///< one-pole step toward 0 per control tick once released
  float dynamics = 0.7f;         ///< 0..1: loudness (0.15 + 0.85 x)^2 and source brightness
  float expressionGain = 1.0f;   ///< linear
  float breath = 0.15f;          ///< aspiration noise, 0..1
  float spread = 0.6f;           ///< stereo width of the voices, 0..1
  float levelGain = 1.0f;        ///< linear
};

/// A glottal source per singer (a PolyBLEP saw, the derivative of a Rosenberg-like flow pulse
/// whose closure is the saw's drop; Välimäki & Huovilainen, IEEE SPM 2007), 1-4 singers per note
/// detuned symmetrically about it, each with its own vibrato and seeded pitch jitter; summed,
/// darkened by a one-pole low-pass that opens with dynamics, breathed on with noise, then sung
/// through five parallel constant-peak-gain formant resonators (vowel_table.hpp).
class VoiceQuad {
 public:
  /// Control thread: sample rate, and the seed of this quad's jitter and phases.
  void prepare(double sampleRate, std::uint64_t seed);

  /// Starts lane `lane` at `cyclesPerSample`. A lane still sounding continues from where it is
  /// (stolen, or the same key again): phases, filters and envelope carry on, so nothing clicks.
  /// `panPosition` is the voice's place across the stage, -1 (left) to 1 (right).
  void start(int lane, double cyclesPerSample, float velocity, int singers,
             float panPosition) noexcept;
  void setPitch(int lane, double cyclesPerSample) noexcept;
  void setFormants(int lane, const dsp::ResonatorCoefficients (&formants)[kFormantCount]) noexcept;
  void release(int lane) noexcept;
  /// All sound off: a 5 ms fade.
  void silence(int lane) noexcept;
  bool sounding(int lane) const noexcept { return active_[lane]; }
  bool anySounding() const noexcept { return active_[0] || active_[1] || active_[2] || active_[3]; }

  /// Audio thread, at each control tick: pitches for the next kControlFrames samples, and the
  /// loudness each lane ramps to by the tick after.
  void control(const ChoirSettings& settings) noexcept;
  /// Audio thread: adds `frames` (<= kControlFrames) samples of each lane into `left`/`right`.
  void render(dsp::Float4* left, dsp::Float4* right, int frames) noexcept;

 private:
  // ---- audio-rate state, one lane per voice ----
  dsp::Float4 phase_[kMaxSingers]{};
  dsp::Float4 cycles_[kMaxSingers]{};
  dsp::Float4 inverseCycles_[kMaxSingers]{};
  dsp::Float4 singerGain_[kMaxSingers]{};  // 1/sqrt(singers) where the singer exists, else 0
  dsp::Float4 glottal_{}, glottalCoefficient_{};
  dsp::Float4 breath_{};
  dsp::NoiseQuad noise_;
  dsp::Float4 in1_{}, in2_{};
  dsp::Float4 y1_[kFormantCount]{}, y2_[kFormantCount]{};
  dsp::Float4 gain_[kFormantCount]{}, a1_[kFormantCount]{}, a2_[kFormantCount]{};
  dsp::Float4 amplitude_{}, amplitudeStep_{};
  dsp::Float4 panLeft_{}, panRight_{};
  int singers_ = 1;  // singers rendered: the most any sounding lane has

  // ---- control-rate state ----
  dsp::Float4 baseCycles_{};
  dsp::Float4 position_[kMaxSingers]{};  // -1..1 across a note's singers
  dsp::Float4 vibratoPhase_[kMaxSingers]{}, vibratoRateScale_[kMaxSingers]{};
  dsp::Float4 jitter_[kMaxSingers]{};  // cents
  dsp::Float4 envelope_{};
  dsp::Float4 ageSeconds_{};
  dsp::Float4 velocity_{};
  dsp::Float4 panPosition_{};
  dsp::NoiseQuad jitterNoise_;
  int singerCount_[kLanes] = {1, 1, 1, 1};
  bool active_[kLanes] = {false, false, false, false};
  bool held_[kLanes] = {false, false, false, false};
  bool silencing_[kLanes] = {false, false, false, false};
  dsp::Random random_;
  float sampleRate_ = 48000.0f;
  float jitterPole_ = 0.0f, jitterScale_ = 0.0f;
  float silencePerTick_ = 1.0f;
};

}  // namespace reverie::orchestra::choir
