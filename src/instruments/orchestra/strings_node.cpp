// "strings": the string section, an ensemble of bowed voices with swells, tremolo and glissando.
#include "instruments/orchestra/strings_node.hpp"

#include <algorithm>
#include <array>

#include "dsp/dc_blocker.hpp"
#include "instruments/orchestra/string_voice.hpp"
#include "instruments/orchestra/sustained_section.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

using namespace strings_parameter;
constexpr ParameterDescriptor kParameters[] = {
    rows::voices(64.0f, 16.0f, "Polyphony (notes)"),
    {"ensemble", "Players per note", "players", 1.0f, 4.0f, 3.0f},
    {"detune", "Detune between the outermost players, centred on the note", "cents", 0.0f, 40.0f,
     10.0f},
    {"vibrato", "Vibrato depth (peak)", "cents", 0.0f, 60.0f, 12.0f, 0.05f},
    {"vibrato_rate", "Vibrato rate (each player a few percent off)", "Hz", 0.5f, 10.0f, 5.5f,
     0.05f},
    rows::vibratoDelay(0.35f),
    {"attack", "Bow attack (to 95%)", "s", 0.005f, 10.0f, 0.25f},
    {"release", "Release after the bow lifts (to -60 dB)", "s", 0.02f, 10.0f, 0.5f},
    rows::dynamics("Dynamics (CC1): gain (0.15 + 0.85 x)^2 and body brightness"),
    rows::expression(),
    {"tremolo", "Tremolo depth (bowed reiteration)", "", 0.0f, 1.0f, 0.0f, 0.02f},
    {"tremolo_rate", "Tremolo strokes per second", "Hz", 1.0f, 20.0f, 8.0f, 0.02f},
    {"glide", "Glissando time from the previous key", "s", 0.0f, 5.0f, 0.0f},
    rows::brightness("Body brightness", 0.02f),
    {"spread", "Stereo spread of the players", "", 0.0f, 1.0f, 0.6f},
    {"bow_noise", "Bow (rosin) noise", "", 0.0f, 1.0f, 0.2f},
    rows::bendRange(),
    rows::tuning(),
    rows::level(0.0f),
};
static_assert(indicesMatch(kParameters, {{kVoices, "voices"},
                                         {kEnsemble, "ensemble"},
                                         {kDetune, "detune"},
                                         {kVibrato, "vibrato"},
                                         {kVibratoRate, "vibrato_rate"},
                                         {kVibratoDelay, "vibrato_delay"},
                                         {kAttack, "attack"},
                                         {kRelease, "release"},
                                         {kDynamics, "dynamics"},
                                         {kExpression, "expression"},
                                         {kTremolo, "tremolo"},
                                         {kTremoloRate, "tremolo_rate"},
                                         {kGlide, "glide"},
                                         {kBrightness, "brightness"},
                                         {kSpread, "spread"},
                                         {kBowNoise, "bow_noise"},
                                         {kBendRange, "bend_range"},
                                         {kTuning, "tuning"},
                                         {kLevel, "level"}}));
// A bowed body radiates nothing far below its lowest resonance, but a tremolo's strokes each
// cut a waveform at an arbitrary phase, and their offsets, repeated at the stroke rate, put
// lines at 3-10 Hz near -60 dBFS: a steep blocker at 20 Hz removes them and leaves a double
// bass's low C (33 Hz) within 0.1 dB.
constexpr double kDcCutoffHz = 20.0;
// Only these ramp (smoothingSeconds > 0); the rest change at once.
constexpr int kSmoothed[] = {kVibrato, kVibratoRate, kDynamics,
                             kTremolo, kTremoloRate, kBrightness};

class StringsNode final : public orchestra::SustainedSection<orchestra::StringVoice> {
 public:
  StringsNode()
      : SustainedSection(kStringsType, {.polyphony = kVoices,
                                        .dynamics = kDynamics,
                                        .expression = kExpression,
                                        .tuning = kTuning,
                                        .level = kLevel}) {}

 protected:
  void onPrepare(const PrepareInfo& info) override {
    prepareSection(info, 0x5157a11u);
    for (dsp::DcBlocker& blocker : dcBlockers_) {
      blocker.setCutoff(kDcCutoffHz / info.sampleRate);
      blocker.reset();
    }
    clock_ = lastOnset_ = 0;
    lineSeconds_ = 0.0;
    hasOnset_ = false;
  }

  void startVoice(int voice, int glideFromKey, bool) noexcept override {
    orchestra::StringVoice& v = voices_[static_cast<std::size_t>(voice)];
    orchestra::StringSettings settings = settings_;
    settings.players = static_cast<int>(parameterTarget(kEnsemble));
    settings.attackScale = attackScaleFor(slot(voice).velocity);
    const int key = slot(voice).key;
    const float glide = parameterTarget(kGlide);
    if (glide > 0.0f && glideFromKey >= 0 && glideFromKey != key) {
      v.start(keyHz(glideFromKey), slot(voice).velocity, settings);
      v.glideTo(keyHz(key), glide);
    } else {
      v.start(keyHz(key), slot(voice).velocity, settings);
    }
  }
  void render(const float* const*, float* const* out, int frames) noexcept override {
    renderOnGrid(out, frames, kSmoothed);
    clock_ += static_cast<std::uint64_t>(frames);
    for (int i = 0; i < frames; ++i) {
      out[0][i] = dcBlockers_[0].process(out[0][i]);
      out[1][i] = dcBlockers_[1].process(out[1][i]);
    }
  }
  void renderVoices(float* left, float* right, int frames) noexcept override {
    for (orchestra::StringVoice& voice : voices_)
      if (voice.active()) voice.render(left, right, frames, settings_);
  }
  void readSettings() noexcept override {
    orchestra::StringSettings& s = settings_;
    s.players = static_cast<int>(parameter(kEnsemble).current());
    s.detuneCents = parameter(kDetune).current();
    s.vibratoCents = parameter(kVibrato).current();
    s.vibratoRateHz = parameter(kVibratoRate).current();
    s.vibratoDelaySeconds = parameter(kVibratoDelay).current();
    s.attackSeconds = parameter(kAttack).current();
    s.releaseSeconds = parameter(kRelease).current();
    s.dynamics = parameter(kDynamics).current();
    s.tremoloDepth = parameter(kTremolo).current();
    s.tremoloRateHz = parameter(kTremoloRate).current();
    s.brightness = parameter(kBrightness).current();
    s.spread = parameter(kSpread).current();
    s.bowNoise = parameter(kBowNoise).current();
  }

 private:
  /// A section's attack follows the playing: a forte note is bowed in faster (x0.7 at full
  /// velocity, x1.18 at 0.2), and in a line whose notes come quickly the bow changes fast
  /// enough that a note reaches full tone within 40% of the time since the previous onset,
  /// so a melody of short notes is not still swelling when each ends. Notes within 30 ms of
  /// the last onset belong to a chord and keep the line's pace; the first note sets none.
  float attackScaleFor(float velocity) noexcept {
    const double rate = info().sampleRate;
    const double sinceOnset = static_cast<double>(clock_ - lastOnset_) / rate;
    if (hasOnset_ && sinceOnset > kChordSeconds) lineSeconds_ = sinceOnset;
    if (!hasOnset_ || sinceOnset > kChordSeconds) lastOnset_ = clock_;
    hasOnset_ = true;
    float scale = 1.3f - 0.6f * std::clamp(velocity, 0.0f, 1.0f);
    const float attack = std::max(parameterTarget(kAttack), 1e-3f);
    if (lineSeconds_ > 0.0)
      scale = std::min(scale, static_cast<float>(kLineShare * lineSeconds_) / attack);
    return std::max(scale, kShortestAttackSeconds / attack);
  }

  static constexpr double kChordSeconds = 0.03;
  static constexpr double kLineShare = 0.4;
  static constexpr float kShortestAttackSeconds = 0.04f;
  std::array<dsp::DcBlocker, 2> dcBlockers_{};  // left, right
  std::uint64_t clock_ = 0, lastOnset_ = 0;     // frames rendered; the last onset's frame
  double lineSeconds_ = 0.0;                    // time between the last two onsets (0: none yet)
  bool hasOnset_ = false;
  orchestra::StringSettings settings_;
};

}  // namespace

const NodeType kStringsType{
    .name = "strings",
    .description =
        "String section: detuned bowed ensembles with vibrato, swells, tremolo and glissando",
    .outputs = kStereoPorts,
    .parameters = kParameters,
    .acceptsNotes = true,
    .create = createNode<StringsNode>,
    .role = NodeRole::kStrings,
    .bendRangeParameter = strings_parameter::kBendRange,
};

}  // namespace reverie
