// One note of the string section: a small ensemble of detuned, band-limited saws, bowed.
#pragma once

#include <cstdint>

#include "dsp/float4.hpp"
#include "dsp/lane_mixdown.hpp"
#include "dsp/parallel_svf.hpp"
#include "dsp/saw_bank.hpp"
#include "instruments/orchestra/sustained_voice.hpp"

namespace reverie::orchestra {

/// What a string voice reads from whoever plays it. Read every kControlFrames samples of the
/// voice (and `players` only when a note starts), so changing it costs nothing per sample.
struct StringSettings {
  int players = 3;                    ///< players per note, 1..4 (read when a note starts)
  float detuneCents = 10.0f;          ///< outermost players this far apart, centred on the note
  float vibratoCents = 12.0f;         ///< peak pitch deviation of the vibrato
  float vibratoRateHz = 5.5f;         ///< mean rate; each player is a few percent off it
  float vibratoDelaySeconds = 0.35f;  ///< no vibrato until then; it fades in over 0.5 s
  float attackSeconds = 0.25f;        ///< bow attack: 95% of full level after this
  float releaseSeconds = 0.5f;        ///< -60 dB this long after the bow lifts
  float dynamics = 0.7f;              ///< 0..1: gain (0.15 + 0.85 d)^2, and body brightness
  float tremoloDepth = 0.0f;          ///< 0..1: bowed reiteration (1: silence between strokes)
  float tremoloRateHz = 8.0f;         ///< strokes per second
  float brightness = 0.5f;            ///< 0..1: how far the body filter opens
  float spread = 0.6f;                ///< 0..1: stereo width of the players
  float bowNoise = 0.2f;              ///< 0..1: rosin noise through the body
  /// The note's attack is attackSeconds times this (read when a note starts): a player bows
  /// a loud or a quick note in faster than a soft, long one.
  float attackScale = 1.0f;
};

/// One bowed note, usable by any node (the strings section, the orchestra tuning up).
///
/// Threads: `prepare` on the control thread; everything else on the audio thread, where none
/// of it allocates, locks or throws. Output is deterministic for the seed and the calls made.
/// Expression and level are not applied here: the section multiplies the sum by them.
/// A single note at full dynamics and velocity peaks near -11 dBFS, a six-note chord under 0.
class StringVoice : public SustainedVoice {
 public:
  static constexpr int kMaxPlayers = 4;
  /// Vibrato, gains, the body filter and settings are refreshed every this many samples,
  /// counted from the note's start, so the output never depends on how calls split a span.
  static constexpr int kControlFrames = 64;

  /// Sample rate and the voice's own random stream (player phases, vibrato rates, pans).
  void prepare(double sampleRate, std::uint64_t seed) noexcept;
  /// Bows a note at `frequencyHz` (velocity 0..1). A sounding voice carries on from where it
  /// is (phases, level), so a stolen or re-struck voice does not click; a silent one starts
  /// with fresh seeded player phases.
  void start(double frequencyHz, float velocity, const StringSettings& settings) noexcept;

  /// Adds `frames` samples of the note into `left` and `right`. Does nothing once inactive.
  void render(float* left, float* right, int frames, const StringSettings& settings) noexcept;

 private:
  bool control(const StringSettings& settings) noexcept;  // false once the note has faded
  template <bool kGliding, bool kTremolo>
  void renderSpan(float* left, float* right, int frames) noexcept;
  void placePlayers(float spread) noexcept;

  dsp::SawBank saws_;
  dsp::ParallelSvf body_;     // one body filter per player lane
  dsp::Float4 position_{};    // -0.5..0.5 across the section; 0 in unused lanes
  dsp::Float4 playerGain_{};  // 1/sqrt(players) in used lanes, 0 elsewhere
  dsp::Float4 panJitter_{};
  dsp::Float4 panLeft_{}, panRight_{};
  dsp::Float4 vibratoPhase_{};  // cycles
  dsp::Float4 vibratoRateScale_{};
  float velocity_ = 0.0f;
  float attackScale_ = 1.0f;  // settings.attackScale when the note started
  float vibratoFade_ = 0.0f;
  float tremoloPhase_ = 0.0f, tremoloStep_ = 0.0f, tremoloDepth_ = 0.0f;
  float noiseGain_ = 0.0f;
  float bodyCutoff_ = -1.0f;  // cycles per sample the body filter was last set to
  float placedSpread_ = -1.0f;
  int players_ = 1;
};

}  // namespace reverie::orchestra
