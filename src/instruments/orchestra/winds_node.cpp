// "winds": the wind section, an oboe (the orchestra's A), flute, clarinet or a soft wind pad.
#include <algorithm>
#include <array>

#include "instruments/orchestra/sustained_section.hpp"
#include "instruments/orchestra/wind_voice.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

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

class WindsNode final : public orchestra::SustainedSection<orchestra::WindVoice> {
 public:
  WindsNode()
      : SustainedSection(kWindsType, {.polyphony = kVoices,
                                      .dynamics = kDynamics,
                                      .expression = kExpression,
                                      .tuning = kTuning,
                                      .level = kLevel}) {}

 protected:
  void onPrepare(const PrepareInfo& info) override { prepareSection(info, 0x3a1d5u); }

  void startVoice(int voice, int, bool) noexcept override {
    orchestra::WindSettings settings = settings_;
    settings.instrument =
        static_cast<orchestra::WindInstrument>(static_cast<int>(parameterTarget(kInstrument)));
    orchestra::WindVoice& v = voices_[static_cast<std::size_t>(voice)];
    v.start(keyHz(slot(voice).key), slot(voice).velocity, settings);
    // After its first update, the voice updates on this node's grid with all the others.
    v.alignControl(orchestra::WindVoice::kControlFrames - grid_.phase());
  }
  void render(const float* const*, float* const* out, int frames) noexcept override {
    renderOnGrid(out, frames, kSmoothed);
  }

  /// Every sounding voice, four at a time per instrument (one per SIMD lane). The grouping is a
  /// function of which voices sound, taken after the updates due now, so it never depends on
  /// how the host splits blocks.
  void renderVoices(float* left, float* right, int frames) noexcept override {
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

  void readSettings() noexcept override {
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

 private:
  orchestra::WindSettings settings_;
};

}  // namespace

const NodeType kWindsType{
    .name = "winds",
    .description = "Wind section: the oboe that gives the A, flute, clarinet, or a soft wind pad",
    .outputs = kStereoPorts,
    .parameters = kParameters,
    .acceptsNotes = true,
    .create = createNode<WindsNode>,
    .role = NodeRole::kWinds,
    .roleParameter = kInstrument,
    .roleByChoice = kRoles,
    .bendRangeParameter = kBendRange,
};

}  // namespace reverie
