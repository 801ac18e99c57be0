// One note of the brass section: detuned lip-buzzed players whose bandwidth opens with loudness.
#pragma once

#include <cstdint>

#include "dsp/random.hpp"

namespace reverie::orchestra {

enum class BrassArticulation { kSustain = 0, kStab = 1 };

/// The section-wide controls a brass voice reads at its control ticks. Values are expected in
/// range (the section clamps its parameters).
struct BrassSettings {
  float dynamics = 0.7f;        ///< 0..1 (CC1): loudness and brightness together
  float expression = 1.0f;      ///< 0..1 (CC11): loudness only
  float brightness = 0.5f;      ///< 0..1: how far the bandwidth opens at a given loudness
  int players = 2;              ///< 1..3 players per note, detuned symmetrically about the note
  float detuneCents = 6.0f;     ///< spread between the outermost players
  float attackSeconds = 0.06f;  ///< sustain articulation; a stab's attack is at most 12 ms
  float releaseSeconds = 0.3f;  ///< T60 after release()
  float vibratoCents = 8.0f;    ///< depth (peak), fading in after the attack
  float vibratoRateHz = 5.0f;
  float breath = 0.3f;       ///< 0..1 breath noise, strongest in the attack
  float scoopCents = 25.0f;  ///< the pitch starts this far flat (times velocity) and rises
  float spread = 0.5f;       ///< 0..1 stereo spread of the players
  BrassArticulation articulation = BrassArticulation::kSustain;  ///< latched at the first tick
};

/// One brass note (audio thread, apart from prepare). A single voice, e.g. a tuning-up glide:
///
///   voice.prepare(48000.0, seed);                  // once, control thread
///   voice.start(hz, velocity);                     // note-on (legato/steal if still sounding)
///   for every sample (or once per span):
///     voice.setFrequencyHz(hz);                    // optional: glides and bends, any rate
///     voice.render(left, right, frames, settings); // adds into left[] and right[]
///   voice.release();                               // note-off; active() turns false at the end
///
/// A section renders its voices together, four to a SIMD vector: on a grid of kControlFrames
/// samples it calls control(settings) on every active voice (and at once on a voice that
/// needsControl() after start()), then renderVoices() over the span up to the next grid point.
///
/// Each player is a PolyBLEP sawtooth through a 12 dB/octave low-pass whose cutoff follows
/// the instantaneous envelope times the dynamics, after Risset's trumpet analyses ("Computer
/// study of trumpet tones", Bell Labs 1966) and Moorer & Grey ("Lexicon of analyzed tones
/// III: the trumpet", CMJ 1978): the higher harmonics grow faster than the fundamental, so
/// the spectral bandwidth widens with amplitude. The attack adds a pitch scoop from below, a
/// "blat" (a brief brightness and level overshoot with a breath burst) and breath noise.
class BrassVoice {
 public:
  static constexpr int kMaxPlayers = 3;
  static constexpr int kControlFrames = 32;  ///< envelope, filter and vibrato update period

  /// Control thread: sample rate and the voice's own random seed (phases, pan, breath).
  void prepare(double sampleRate, std::uint64_t seed);
  /// Starts a note at `frequencyHz` with `velocity` 0..1. A voice still sounding keeps its
  /// phases, filter and level and rises from there (legato, or a steal without a click).
  void start(double frequencyHz, float velocity);
  /// The note's pitch now (a multiply and a divide: call it every sample for a glide).
  void setFrequencyHz(double frequencyHz);
  /// Key up: the level falls with settings.releaseSeconds as its T60.
  void release();
  /// Fades out within about 10 ms (all sound off).
  void silence();

  /// One voice on its own clock: a control tick every kControlFrames frames rendered (and at
  /// once after start), then adds `frames` samples to left[] and right[].
  void render(float* left, float* right, int frames, const BrassSettings& settings);

  /// One control tick: advances the envelope, scoop, blat and vibrato, sets the filter and
  /// the per-sample ramps for the next kControlFrames samples. May end the voice.
  void control(const BrassSettings& settings);
  /// Adds `frames` samples of `count` active voices to left[] and right[], following the
  /// ramps their last control() set; no voice may render more than kControlFrames samples
  /// between two control() calls (the ramps would overshoot). Voices share SIMD lanes.
  static void renderVoices(BrassVoice* const* voices, int count, float* left, float* right,
                           int frames);

  bool active() const { return stage_ != Stage::kIdle; }
  bool needsControl() const { return fresh_; }
  bool released() const { return stage_ == Stage::kRelease || stage_ == Stage::kSilence; }
  /// The envelope, 0..1, as of the last control tick.
  float envelope() const { return envelope_; }

 private:
  enum class Stage { kIdle, kAttack, kSustain, kStabDecay, kRelease, kSilence };
  void updatePlayers(const BrassSettings& settings);

  float sampleRate_ = 48000.0f;
  dsp::Random random_;
  Stage stage_ = Stage::kIdle;
  BrassArticulation articulation_ = BrassArticulation::kSustain;
  bool fresh_ = false;     // started, first tick not yet run
  bool wasSilent_ = true;  // started from silence (jump to the first tick's values)
  int players_ = 2;
  int ticksToGo_ = 0;  // render(): frames until the next control tick
  long ageTicks_ = 0;  // control ticks since start
  float velocity_ = 0.0f;
  float cyclesPerSample_ = 1e-6f;  // of the note, before scoop and vibrato
  float inverseCycles_ = 1e6f;     // 1 / (cycles per sample with scoop and vibrato), for the BLEP
  // Control-rate state.
  float envelope_ = 0.0f, blat_ = 0.0f, scoopCents_ = 0.0f, vibratoPhase_ = 0.0f, pan_ = 0.0f;
  float lastDetune_ = -1.0f, lastSpread_ = -1.0f;
  // Per-tick decay factors, and coefficients kept until their setting changes.
  float stabDecay_ = 0.0f, silenceDecay_ = 0.0f, blatDecay_ = 0.0f, scoopDecay_ = 0.0f,
        stabScoopDecay_ = 0.0f;
  float lastAttack_ = -1.0f, attackRise_ = 0.0f, lastRelease_ = -1.0f, releaseDecay_ = 0.0f;
  float lastCutoffHz_ = -1.0f;
  // Per-sample ramps toward the next tick's values.
  float gain_ = 0.0f, gainStep_ = 0.0f;
  float pitch_ = 1.0f, pitchStep_ = 0.0f;  // scoop and vibrato as a frequency ratio
  float noise_ = 0.0f, noiseStep_ = 0.0f;  // breath, relative to the tone
  std::uint32_t noiseState_ = 1;           // xorshift32 breath noise, seeded from random_
  // Low-pass (Simper/Zavalishin trapezoidal SVF) coefficients, shared by the players.
  float a1_ = 1.0f, a2_ = 0.0f, a3_ = 0.0f;
  // Per player (players past the count are silent: zero pan).
  float phase_[kMaxPlayers] = {};
  float ratio_[kMaxPlayers] = {1.0f, 1.0f, 1.0f};
  float inverseRatio_[kMaxPlayers] = {1.0f, 1.0f, 1.0f};
  float ic1_[kMaxPlayers] = {}, ic2_[kMaxPlayers] = {};
  float bellLeft_ = 0.0f, bellRight_ = 0.0f;  // the bell shelf's low-pass states
  float bellCoefficient_ = 0.0f;              // its one-pole coefficient at 3 x the note
  float panLeft_[kMaxPlayers] = {}, panRight_[kMaxPlayers] = {};
};

}  // namespace reverie::orchestra
