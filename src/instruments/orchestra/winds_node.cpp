// "winds": the wind section, an oboe (the orchestra's A), flute, clarinet or a soft wind pad.
#include <algorithm>
#include <array>

#include "dsp/control_grid.hpp"
#include "instruments/orchestra/section_node.hpp"
#include "instruments/orchestra/wind_voice.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

constexpr std::string_view kOutputs[] = {"left", "right"};
constexpr std::string_view kInstruments[] = {"oboe", "flute", "clarinet", "pad"};
enum {
  kInstrument,
  kVoices,
  kVibrato,
  kVibratoRate,
  kVibratoDelay,
  kBreath,
  kAttack,
  kRelease,
  kDynamics,
  kExpression,
  kBendRange,
  kTuning,
  kLevel
};
constexpr ParameterDescriptor kParameters[] = {
    {"instrument", "Instrument (a voice takes it when it starts from silence)", "", 0.0f, 3.0f,
     0.0f, 0.0f, kInstruments},
    rows::voices(64.0f, 8.0f, "Polyphony (notes)"),
    {"vibrato", "Vibrato depth (peak)", "cents", 0.0f, 60.0f, 12.0f, 0.05f},
    {"vibrato_rate", "Vibrato rate", "Hz", 0.5f, 10.0f, 5.0f, 0.05f},
    rows::vibratoDelay(0.4f),
    {"breath", "Breath noise", "", 0.0f, 1.0f, 0.3f, 0.02f},
    {"attack", "Attack (to 95%; the pad adds 0.8 s)", "s", 0.005f, 10.0f, 0.06f},
    {"release", "Release (to -60 dB; the pad adds 1 s)", "s", 0.02f, 10.0f, 0.25f},
    rows::dynamics("Dynamics (CC1): gain (0.15 + 0.85 x)^2 and brightness"),
    rows::expression(),
    rows::bendRange(),
    rows::tuning(),
    rows::level(0.0f),
};
static_assert(indicesMatch(kParameters, {{kInstrument, "instrument"},
                                         {kVoices, "voices"},
                                         {kVibrato, "vibrato"},
                                         {kVibratoRate, "vibrato_rate"},
                                         {kVibratoDelay, "vibrato_delay"},
                                         {kBreath, "breath"},
                                         {kAttack, "attack"},
                                         {kRelease, "release"},
                                         {kDynamics, "dynamics"},
                                         {kExpression, "expression"},
                                         {kBendRange, "bend_range"},
                                         {kTuning, "tuning"},
                                         {kLevel, "level"}}));
// The composer plays the pad as a pad, the other instruments as winds.
constexpr NodeRole kRoles[] = {NodeRole::kWinds, NodeRole::kWinds, NodeRole::kWinds,
                               NodeRole::kPad};
static_assert(std::size(kRoles) == std::size(kInstruments));
// Only these ramp (smoothingSeconds > 0) besides expression and level.
constexpr int kSmoothed[] = {kVibrato, kVibratoRate, kBreath, kDynamics};

class WindsNode final : public orchestra::VoiceArraySection<orchestra::WindVoice> {
 public:
  WindsNode()
      : VoiceArraySection(kWindsType, {.polyphony = kVoices,
                                       .dynamics = kDynamics,
                                       .expression = kExpression,
                                       .tuning = kTuning,
                                       .level = kLevel}) {}

 protected:
  void onPrepare(const PrepareInfo& info) override {
    for (std::size_t v = 0; v < voices_.size(); ++v)
      voices_[v].prepare(info.sampleRate, dsp::mixSeed(info.seed ^ (0x3a1d5u + v)));
    grid_.reset();
    readSettings();
    resetLevelGain();
  }

  void startVoice(int voice, int, bool) noexcept override {
    orchestra::WindSettings settings = settings_;
    settings.instrument =
        static_cast<orchestra::WindInstrument>(static_cast<int>(parameterTarget(kInstrument)));
    orchestra::WindVoice& v = voices_[static_cast<std::size_t>(voice)];
    v.start(keyHz(slot(voice).key), slot(voice).velocity, settings);
    // After its first update, the voice updates on this node's grid with all the others.
    v.alignControl(orchestra::WindVoice::kControlFrames - grid_.phase());
  }
  void retune() noexcept override {
    for (int v = 0; v < kMaxVoices; ++v)
      if (voices_[static_cast<std::size_t>(v)].active() && slot(v).key >= 0)
        voices_[static_cast<std::size_t>(v)].retarget(keyHz(slot(v).key));
  }

  void render(const float* const*, float* const* out, int frames) noexcept override {
    float* left = out[0];
    float* right = out[1];
    std::fill_n(left, frames, 0.0f);
    std::fill_n(right, frames, 0.0f);
    for (int done = 0; done < frames;) {
      // Settings change only on this node's own sample grid, so block size never matters.
      if (grid_.onGrid()) readSettings();
      const int span = grid_.span(frames - done);
      renderVoices(left + done, right + done, span);
      applyExpressionAndLevel(left + done, right + done, span, kSmoothed);
      grid_.advance(span);
      done += span;
    }
  }

 private:
  /// Every sounding voice, four at a time per instrument (one per SIMD lane). The grouping is a
  /// function of which voices sound, taken after the updates due now, so it never depends on
  /// how the host splits blocks.
  void renderVoices(float* left, float* right, int frames) noexcept {
    for (orchestra::WindVoice& voice : voices_) voice.updateIfDue(settings_);
    for (int instrument = 0; instrument < 4; ++instrument) {
      orchestra::WindVoice* group[4];
      int count = 0;
      for (orchestra::WindVoice& voice : voices_) {
        if (!voice.active() || static_cast<int>(voice.instrument()) != instrument) continue;
        group[count++] = &voice;
        if (count == 4) {
          orchestra::WindVoice::renderGroup(group, count, left, right, frames, settings_);
          count = 0;
        }
      }
      if (count > 0)
        orchestra::WindVoice::renderGroup(group, count, left, right, frames, settings_);
    }
  }

  void readSettings() noexcept {
    orchestra::WindSettings& s = settings_;
    s.instrument =
        static_cast<orchestra::WindInstrument>(static_cast<int>(parameter(kInstrument).current()));
    s.dynamics = parameter(kDynamics).current();
    s.vibratoCents = parameter(kVibrato).current();
    s.vibratoRateHz = parameter(kVibratoRate).current();
    s.vibratoDelaySeconds = parameter(kVibratoDelay).current();
    s.breath = parameter(kBreath).current();
    s.attackSeconds = parameter(kAttack).current();
    s.releaseSeconds = parameter(kRelease).current();
  }

  orchestra::WindSettings settings_;
  dsp::ControlGrid grid_{orchestra::WindVoice::kControlFrames};
};

}  // namespace

const NodeType kWindsType{
    .name = "winds",
    .description = "Wind section: the oboe that gives the A, flute, clarinet, or a soft wind pad",
    .outputs = kOutputs,
    .parameters = kParameters,
    .acceptsNotes = true,
    .create = []() -> std::unique_ptr<Node> { return std::make_unique<WindsNode>(); },
    .role = NodeRole::kWinds,
    .roleParameter = kInstrument,
    .roleByChoice = kRoles,
    .bendRangeParameter = kBendRange,
};

}  // namespace reverie
