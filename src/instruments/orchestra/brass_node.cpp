// "brass": the brass section, bright when loud, dark when soft; swells on CC1/CC11, and stabs.
#include "instruments/orchestra/brass_node.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "dsp/control_grid.hpp"
#include "dsp/math_constants.hpp"
#include "instruments/orchestra/brass_voice.hpp"
#include "instruments/orchestra/section_node.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

constexpr std::string_view kArticulations[] = {"sustain", "stab"};
using namespace brass_parameter;
constexpr ParameterDescriptor kParameters[] = {
    rows::voices(64.0f, 16.0f),
    {"players", "Players per note, detuned symmetrically about it", "players", 1.0f, 3.0f, 2.0f},
    {"detune", "Detune between the outer players", "cents", 0.0f, 40.0f, 7.0f, 0.02f},
    {"attack", "Attack time (sustain articulation)", "s", 0.005f, 2.0f, 0.06f},
    {"release", "Release time (T60)", "s", 0.02f, 8.0f, 0.35f},
    rows::dynamics("Dynamics: loudness and brightness together (CC1)", 0.7f, 0.03f),
    rows::expression("Expression: loudness only (CC11)", 0.03f),
    rows::brightness("How far loudness opens the bandwidth", 0.03f),
    {"vibrato", "Vibrato depth, fading in after the attack", "cents", 0.0f, 50.0f, 6.0f},
    {"vibrato_rate", "Vibrato rate", "Hz", 0.5f, 10.0f, 5.0f},
    {"articulation", "Articulation: held notes or short stabs", "", 0.0f, 1.0f, 0.0f, 0.0f,
     kArticulations},
    rows::bendRange(),
    rows::tuning(),
    rows::level(0.0f),
    {"breath", "Breath noise, strongest in the attack", "", 0.0f, 1.0f, 0.3f},
    {"scoop", "Pitch scoop into the note at full velocity", "cents", 0.0f, 100.0f, 25.0f},
    {"spread", "Stereo spread of the players", "", 0.0f, 1.0f, 0.5f},
};
static_assert(indicesMatch(kParameters, {{kVoices, "voices"},
                                         {kPlayers, "players"},
                                         {kDetune, "detune"},
                                         {kAttack, "attack"},
                                         {kRelease, "release"},
                                         {kDynamics, "dynamics"},
                                         {kExpression, "expression"},
                                         {kBrightness, "brightness"},
                                         {kVibrato, "vibrato"},
                                         {kVibratoRate, "vibrato_rate"},
                                         {kArticulation, "articulation"},
                                         {kBendRange, "bend_range"},
                                         {kTuning, "tuning"},
                                         {kLevel, "level"},
                                         {kBreath, "breath"},
                                         {kScoop, "scoop"},
                                         {kSpread, "spread"}}));
static_assert(kArticulations[kSustain] == "sustain" && kArticulations[kStab] == "stab" &&
              static_cast<int>(orchestra::BrassArticulation::kStab) == kStab);
// The bell and the hall smear the harmonics' phases: first-order all-passes spread the saws'
// aligned edges, so the section, its fundamentals shelved by each voice's bell, is no peakier
// for its loudness. kRadiationGain (+2.9 dB) brings the section back near its old loudness
// in the arcs; one voice at full dynamics peaks at -9 dBFS, a six-note chord at -2.2 dBFS.
constexpr float kRadiationGain = 1.4f;
constexpr int kDispersionStages = 4;
constexpr double kDispersionHz[kDispersionStages] = {400.0, 900.0, 1800.0, 3500.0};
constexpr orchestra::SectionLayout kLayout{
    .polyphony = kVoices, .dynamics = kDynamics, .expression = kExpression, .tuning = kTuning};

class BrassNode final : public orchestra::VoiceArraySection<orchestra::BrassVoice> {
 public:
  BrassNode() : VoiceArraySection(kBrassType, kLayout) {}

 protected:
  void onPrepare(const PrepareInfo& info) override {
    for (int v = 0; v < kMaxVoices; ++v)
      voices_[static_cast<std::size_t>(v)].prepare(
          info.sampleRate, dsp::mixSeed(info.seed ^ (0xb7a55ull * (v + 1))));
    grid_.reset();
    refreshSettings();
    dispersion_ = {};
    for (int stage = 0; stage < kDispersionStages; ++stage) {
      const double t = std::tan(dsp::kPi * kDispersionHz[stage] / info.sampleRate);
      dispersionCoefficients_[static_cast<std::size_t>(stage)] =
          static_cast<float>((t - 1.0) / (t + 1.0));
    }
  }

  void onParameterChanged(int index) noexcept override {
    SectionNode::onParameterChanged(index);
    // Discrete settings take effect at once; the smoothed ones are read on the control grid.
    settings_.players = static_cast<int>(std::lround(parameterTarget(kPlayers)));
    settings_.attackSeconds = parameterTarget(kAttack);
    settings_.releaseSeconds = parameterTarget(kRelease);
    settings_.vibratoCents = parameterTarget(kVibrato);
    settings_.vibratoRateHz = parameterTarget(kVibratoRate);
    settings_.articulation =
        static_cast<orchestra::BrassArticulation>(static_cast<int>(parameterTarget(kArticulation)));
    settings_.breath = parameterTarget(kBreath);
    settings_.scoopCents = parameterTarget(kScoop);
    settings_.spread = parameterTarget(kSpread);
  }

  void startVoice(int voice, int, bool) noexcept override {
    const orchestra::VoiceSlot& s = slot(voice);
    voices_[static_cast<std::size_t>(voice)].start(keyHz(s.key), s.velocity);
  }
  void retune() noexcept override {
    for (int v = 0; v < kMaxVoices; ++v)
      if (voices_[static_cast<std::size_t>(v)].active() && slot(v).key >= 0)
        voices_[static_cast<std::size_t>(v)].setFrequencyHz(keyHz(slot(v).key));
  }

  void render(const float* const*, float* const* out, int frames) noexcept override {
    float* left = out[0];
    float* right = out[1];
    std::fill(left, left + frames, 0.0f);
    std::fill(right, right + frames, 0.0f);
    SmoothedValue& level = parameter(kLevel);
    // Settings change on a grid of absolute sample counts, so any block split renders alike.
    grid_.forEachSpan(frames, [&](int done, int span, bool onGrid) {
      if (onGrid) refreshSettings();
      // Control ticks on the grid (and at once for a voice just started), then every
      // sounding voice renders the span together, four to a vector.
      int count = 0;
      for (orchestra::BrassVoice& v : voices_) {
        if (!v.active()) continue;
        if (onGrid || v.needsControl()) v.control(settings_);
        if (v.active()) sounding_[count++] = &v;
      }
      orchestra::BrassVoice::renderVoices(sounding_.data(), count, left + done, right + done, span);
      SmoothedValue* const smoothed[] = {&parameter(kDynamics), &parameter(kExpression),
                                         &parameter(kBrightness), &parameter(kDetune), &level};
      bool ramping = false;
      for (SmoothedValue* p : smoothed) ramping = ramping || p->isRamping();
      if (ramping) {  // step every ramp once per sample
        const bool levelRamping = level.isRamping();
        for (int i = done; i < done + span; ++i) {
          for (SmoothedValue* p : smoothed) p->next();
          if (levelRamping) gain_ = decibelsToGain(level.current());
          left[i] *= gain_;
          right[i] *= gain_;
        }
      } else {
        for (int i = done; i < done + span; ++i) {
          left[i] *= gain_;
          right[i] *= gain_;
        }
      }
    });
    for (int i = 0; i < frames; ++i) {
      left[i] = radiate(left[i], 0);
      right[i] = radiate(right[i], 1);
    }
  }

 private:
  void refreshSettings() noexcept {
    settings_.dynamics = parameter(kDynamics).current();
    settings_.expression = parameter(kExpression).current();
    settings_.brightness = parameter(kBrightness).current();
    settings_.detuneCents = parameter(kDetune).current();
    gain_ = decibelsToGain(parameter(kLevel).current());
  }

  /// The dispersion all-passes on one channel (0 left, 1 right), and the section's gain.
  float radiate(float x, int channel) noexcept {
    for (int stage = 0; stage < kDispersionStages; ++stage) {
      DispersionState& d =
          dispersion_[static_cast<std::size_t>(channel * kDispersionStages + stage)];
      const float a = dispersionCoefficients_[static_cast<std::size_t>(stage)];
      const float y = a * x + d.input - a * d.output;
      d.input = x;
      d.output = y;
      x = y;
    }
    return kRadiationGain * x;
  }

  struct DispersionState {
    float input = 0.0f, output = 0.0f;
  };
  std::array<DispersionState, 2 * kDispersionStages> dispersion_{};  // left stages, then right
  std::array<float, kDispersionStages> dispersionCoefficients_{};
  std::array<orchestra::BrassVoice*, kMaxVoices> sounding_{};
  orchestra::BrassSettings settings_;
  dsp::ControlGrid grid_{orchestra::BrassVoice::kControlFrames};
  float gain_ = 1.0f;
};

}  // namespace

const NodeType kBrassType{
    .name = "brass",
    .description =
        "Brass section: detuned players whose brightness tracks loudness; swells and stabs",
    .outputs = kStereoPorts,
    .parameters = kParameters,
    .acceptsNotes = true,
    .create = createNode<BrassNode>,
    .role = NodeRole::kBrass,
    .bendRangeParameter = brass_parameter::kBendRange,
};

}  // namespace reverie
