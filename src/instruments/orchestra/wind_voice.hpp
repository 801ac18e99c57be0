// One note of the wind section: oboe, flute, clarinet or a soft wind pad, with breath.
#pragma once

#include <cstdint>

#include "instruments/orchestra/sustained_voice.hpp"
#include "instruments/orchestra/wind_instruments.hpp"

namespace reverie::orchestra {

/// What a wind voice reads from whoever plays it, every kControlFrames samples of the voice
/// (`instrument` only when a silent voice starts).
struct WindSettings {
  WindInstrument instrument = WindInstrument::kOboe;
  float dynamics = 0.7f;       ///< 0..1: gain (0.15 + 0.85 d)^2, and brightness
  float vibratoCents = 12.0f;  ///< peak pitch deviation
  float vibratoRateHz = 5.0f;
  float vibratoDelaySeconds = 0.4f;  ///< no vibrato until then; it fades in over 0.5 s
  float breath = 0.3f;               ///< 0..1: breath noise
  float attackSeconds = 0.06f;       ///< to 95% of full level
  float releaseSeconds = 0.25f;      ///< to -60 dB after the note ends
};

/// One blown note, usable by any node (the winds section; the oboe giving the orchestra its A).
///
/// Threads: `prepare` on the control thread; everything else on the audio thread, where none
/// of it allocates, locks or throws. Output is deterministic for the seed and the calls made.
/// Expression and level are not applied here: the section multiplies the sum by them.
/// A single note at full dynamics and velocity peaks near -11 dBFS (oboe, pad) or -15 dBFS
/// (flute, clarinet: low crest factors), so a six-note chord stays under full scale.
class WindVoice : public SustainedVoice {
 public:
  /// Vibrato, gains, filters and settings are refreshed every this many samples of the note.
  static constexpr int kControlFrames = 64;

  /// Sample rate and the voice's own random stream (phases, vibrato rate, pan).
  void prepare(double sampleRate, std::uint64_t seed) noexcept;
  /// Starts a note at `frequencyHz` (velocity 0..1). A sounding voice carries on from where it
  /// is (same instrument, phases, level), so a stolen or re-tongued voice does not click.
  void start(double frequencyHz, float velocity, const WindSettings& settings) noexcept;
  WindInstrument instrument() const noexcept { return strategy_->instrument; }

  /// Adds `frames` samples of the note into `left` and `right`. Does nothing once inactive.
  void render(float* left, float* right, int frames, const WindSettings& settings) noexcept;

  // ---- rendering a section's voices together, one voice per SIMD lane ----
  /// After start(): the next control update after the first comes in `frames` samples (1..
  /// kControlFrames) instead of kControlFrames, so that a section's voices share one grid.
  void alignControl(int frames) noexcept { firstPeriod_ = frames; }
  /// Runs the control update if one is due now; it may end the note. A section calls it for
  /// every voice before grouping them, so that a group never changes inside a span.
  void updateIfDue(const WindSettings& settings) noexcept;
  /// Adds `frames` samples of up to four voices of one instrument, one per SIMD lane: about
  /// half the cost of rendering them one by one. The sum of the lanes rounds differently from
  /// four render() calls, so a caller must group voices the same way for the same state.
  static void renderGroup(WindVoice* const* voices, int count, float* left, float* right,
                          int frames, const WindSettings& settings) noexcept;

 private:
  bool control(const WindSettings& settings) noexcept;      // false once the note has faded
  bool beginPeriod(const WindSettings& settings) noexcept;  // control, then the next countdown
  /// The strategy of each instrument, in WindInstrument order.
  static const WindStrategy kStrategies[4];
  template <class Instrument>
  static constexpr WindStrategy strategyOf() noexcept;
  template <class Instrument>
  static void renderInstrument(WindVoice& voice, float* left, float* right, int frames) noexcept;
  template <class Instrument, bool kGliding>
  void renderSpan(float* left, float* right, int frames) noexcept;
  template <class Instrument>
  static void renderLanes(WindVoice* const* members, int count, float* left, float* right,
                          int frames) noexcept;

  WindTone tone_;
  const WindStrategy* strategy_ = &kStrategies[0];
  float velocity_ = 0.0f;
  float vibratoPhase_ = 0.0f, vibratoRateScale_ = 1.0f, vibratoFade_ = 0.0f, vibratoRatio_ = 1.0f;
  float noiseGain_ = 0.0f;
  float panLeft_ = 0.707f, panRight_ = 0.707f;
  float filterHz_ = -1.0f, filterDynamics_ = -1.0f;  // what the filters were last set for
  int firstPeriod_ = 0;  // alignControl(): the period after the next control update
};

}  // namespace reverie::orchestra
