// "choir": the choir section, formant voices singing "ah", "oh", "oo", "ee", "eh" and between.
#include <algorithm>
#include <array>
#include <cmath>

#include "dsp/control_grid.hpp"
#include "instruments/orchestra/choir_voice.hpp"
#include "instruments/orchestra/section_node.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

using orchestra::kFormantCount;
using orchestra::kFormantTable;
using orchestra::kRegisterCount;
using orchestra::kVowelCount;
using orchestra::choir::kControlFrames;
using orchestra::choir::kLanes;
constexpr float kSingersFormantDb = 0.0f;  // re F1: see updateFormants

constexpr std::string_view kVowelNames[] = {"ah", "oh", "oo", "ee", "eh"};
constexpr std::string_view kRegisterNames[] = {"mixed", "soprano", "alto", "tenor", "bass"};
enum {
  kVoices,
  kSingers,
  kDetune,
  kJitter,
  kVowel,
  kMorphTo,
  kMorph,
  kRegister,
  kVibrato,
  kVibratoRate,
  kAttack,
  kRelease,
  kDynamics,
  kExpression,
  kBreath,
  kSpread,
  kBendRange,
  kTuning,
  kLevel
};
// clang-format off
constexpr ParameterDescriptor kParameters[] = {
    rows::voices(64.0f, 16.0f, "Polyphony (notes)"),
    {"singers", "Singers per note (from the next note)", "singers", 1.0f, 4.0f, 3.0f},
    {"detune", "Detune of the outermost singers, centred on the note", "cents", 0.0f, 50.0f, 8.0f},
    {"jitter", "Random pitch wander of each singer (RMS)", "cents", 0.0f, 20.0f, 3.0f},
    {"vowel", "Vowel sung", "", 0.0f, 4.0f, 0.0f, 0.0f, kVowelNames},
    {"morph_to", "Vowel that morph moves toward", "", 0.0f, 4.0f, 2.0f, 0.0f, kVowelNames},
    {"morph", "Blend from vowel (0) to morph_to (1): formants interpolated", "", 0.0f, 1.0f, 0.0f, 0.05f},
    {"register", "Formant set: by key (mixed) or one voice type", "", 0.0f, 4.0f, 0.0f, 0.0f, kRegisterNames},
    {"vibrato", "Vibrato depth (peak), after a 0.15 s onset and 0.5 s fade-in", "cents", 0.0f, 100.0f, 25.0f, 0.05f},
    {"vibrato_rate", "Vibrato rate (each singer a few percent off)", "Hz", 1.0f, 9.0f, 5.5f, 0.05f},
    {"attack", "Attack (to 95%)", "s", 0.005f, 10.0f, 0.25f},
    {"release", "Release after the key (to -60 dB)", "s", 0.02f, 15.0f, 0.6f},
    rows::dynamics("Dynamics (CC1): gain (0.15 + 0.85 x)^2 and source brightness"),
    rows::expression("Expression (CC11): gain = x^2"),
    {"breath", "Aspiration noise in the voices", "", 0.0f, 1.0f, 0.15f, 0.02f},
    {"spread", "Stereo spread: sopranos left, basses right", "", 0.0f, 1.0f, 0.6f},
    rows::bendRange(),
    rows::tuning(),
    rows::level(0.0f),
};
// clang-format on
static_assert(indicesMatch(kParameters, {{kVoices, "voices"},
                                         {kSingers, "singers"},
                                         {kDetune, "detune"},
                                         {kJitter, "jitter"},
                                         {kVowel, "vowel"},
                                         {kMorphTo, "morph_to"},
                                         {kMorph, "morph"},
                                         {kRegister, "register"},
                                         {kVibrato, "vibrato"},
                                         {kVibratoRate, "vibrato_rate"},
                                         {kAttack, "attack"},
                                         {kRelease, "release"},
                                         {kDynamics, "dynamics"},
                                         {kExpression, "expression"},
                                         {kBreath, "breath"},
                                         {kSpread, "spread"},
                                         {kBendRange, "bend_range"},
                                         {kTuning, "tuning"},
                                         {kLevel, "level"}}));
// Only these ramp (smoothingSeconds > 0); the rest change at once.
constexpr int kSmoothed[] = {kMorph,      kVibrato, kVibratoRate, kDynamics,
                             kExpression, kBreath,  kLevel};
constexpr int kQuads = orchestra::SectionNode::kMaxVoices / kLanes;
// Formant coefficients follow a moving morph every fourth control tick (1.3 ms at 48 kHz).
constexpr int kFormantTicks = 4;

class ChoirNode final : public orchestra::SectionNode {
 public:
  ChoirNode()
      : SectionNode(kChoirType, {.polyphony = kVoices,
                                 .dynamics = kDynamics,
                                 .expression = kExpression,
                                 .tuning = kTuning}) {}

 protected:
  void onPrepare(const PrepareInfo& info) override {
    for (int q = 0; q < kQuads; ++q)
      quads_[static_cast<std::size_t>(q)].prepare(
          info.sampleRate, dsp::mixSeed(info.seed ^ (0xc401a11ull * (q + 1))));
    random_.reseed(dsp::mixSeed(info.seed ^ 0x5eedc401ull));
    grid_.reset();
    std::fill(std::begin(rendering_), std::end(rendering_), false);
    attackSeconds_ = releaseSeconds_ = -1.0f;  // recomputed for this sample rate at the first tick
    levelDb_ = 1e9f;
    updateFormants();
  }

  void onParameterChanged(int index) noexcept override {
    SectionNode::onParameterChanged(index);
    if (index == kVowel || index == kMorphTo || index == kRegister || index == kMorph)
      formantsDirty_ = true;
  }

  void startVoice(int voice, int, bool) noexcept override {
    const orchestra::VoiceSlot& s = slot(voice);
    // Choir seating: sopranos on the left, basses on the right, a little scatter.
    const float seat = std::clamp((60.0f - static_cast<float>(s.key)) / 24.0f, -1.0f, 1.0f);
    const float pan = 0.75f * seat + 0.25f * random_.bipolar();
    orchestra::choir::VoiceQuad& quad = quadOf(voice);
    quad.start(voice % kLanes, keyHz(s.key) / info().sampleRate, s.velocity,
               static_cast<int>(parameterTarget(kSingers)), pan);
    registers_[static_cast<std::size_t>(voice)] = registerFor(s.key);
    quad.setFormants(voice % kLanes, formants_[registers_[static_cast<std::size_t>(voice)]]);
  }
  void releaseVoice(int voice) noexcept override { quadOf(voice).release(voice % kLanes); }
  void silenceVoice(int voice) noexcept override { quadOf(voice).silence(voice % kLanes); }
  bool voiceSounding(int voice) const noexcept override {
    return quads_[static_cast<std::size_t>(voice / kLanes)].sounding(voice % kLanes);
  }
  void retune() noexcept override {
    for (int v = 0; v < kMaxVoices; ++v)
      if (voiceSounding(v)) quadOf(v).setPitch(v % kLanes, keyHz(slot(v).key) / info().sampleRate);
  }

  void render(const float* const*, float* const* out, int frames) noexcept override {
    grid_.forEachSpan(frames, [&](int done, int n, bool onGrid) {
      if (onGrid) controlTick();
      dsp::stepRamps(kSmoothed, n, [this](int p) -> SmoothedValue& { return parameter(p); });
      for (int i = 0; i < n; ++i) left_[i] = right_[i] = dsp::broadcast(0.0f);
      for (int q = 0; q < kQuads; ++q)
        if (rendering_[q]) quads_[static_cast<std::size_t>(q)].render(left_, right_, n);
      for (int i = 0; i < n; ++i) {
        out[0][done + i] = dsp::sum(left_[i]);
        out[1][done + i] = dsp::sum(right_[i]);
      }
    });
  }

 private:
  orchestra::choir::VoiceQuad& quadOf(int voice) {
    return quads_[static_cast<std::size_t>(voice / kLanes)];
  }

  int registerFor(int key) const noexcept {
    const int chosen = static_cast<int>(parameterTarget(kRegister));
    return chosen == 0 ? static_cast<int>(orchestra::registerForKey(key)) : chosen - 1;
  }

  /// The five resonators of every register for the current vowel blend.
  void updateFormants() noexcept {
    const int from = std::clamp(static_cast<int>(parameter(kVowel).current()), 0, kVowelCount - 1);
    const int to = std::clamp(static_cast<int>(parameter(kMorphTo).current()), 0, kVowelCount - 1);
    const float blend = std::clamp(parameter(kMorph).current(), 0.0f, 1.0f);
    const float inverseRate = static_cast<float>(1.0 / info().sampleRate);
    for (int r = 0; r < kRegisterCount; ++r) {
      for (int f = 0; f < kFormantCount; ++f) {
        const orchestra::Formant& a = kFormantTable[r][from][f];
        const orchestra::Formant& b = kFormantTable[r][to][f];
        const float hz = a.frequencyHz + blend * (b.frequencyHz - a.frequencyHz);
        const float bandwidth = a.bandwidthHz + blend * (b.bandwidthHz - a.bandwidthHz);
        float db = a.levelDb + blend * (b.levelDb - a.levelDb);
        // The singer's formant: trained voices cluster F3-F4 near 2.5-3.2 kHz into one peak
        // that carries over an orchestra (Sundberg, "The Science of the Singing Voice", ch. 6),
        // which the Csound table, measured on single vowels, leaves 20-35 dB down for
        // sopranos and altos. A choir's F3 and F4 there peak as high as F1 (over a glottal
        // source ~25 dB weaker at 3 kHz than at F1, that puts the cluster 10-20 dB under it).
        if (f >= 2 && f <= 3 && hz > 2300.0f && hz < 3400.0f) db = std::max(db, kSingersFormantDb);
        formants_[r][f] = dsp::resonatorCoefficients(hz * inverseRate, bandwidth * inverseRate,
                                                     std::pow(10.0f, db * 0.05f));
      }
    }
    for (int v = 0; v < kMaxVoices; ++v) {
      if (!voiceSounding(v)) continue;
      registers_[static_cast<std::size_t>(v)] =
          registerFor(slot(v).key);  // the choice may have moved
      quadOf(v).setFormants(v % kLanes, formants_[registers_[static_cast<std::size_t>(v)]]);
    }
    formantsDirty_ = false;
  }

  void controlTick() noexcept {
    if (parameter(kMorph).isRamping()) formantsDirty_ = true;  // and once more after it stops
    if (formantsDirty_ && (grid_.elapsed() / kControlFrames) % kFormantTicks == 0) updateFormants();
    const float tickSeconds = static_cast<float>(kControlFrames / info().sampleRate);
    orchestra::choir::ChoirSettings& s = settings_;
    s.detuneCents = parameter(kDetune).current();
    s.jitterCents = parameter(kJitter).current();
    s.vibratoCents = parameter(kVibrato).current();
    s.vibratoRateHz = parameter(kVibratoRate).current();
    // One-pole steps per tick: 95% of the way in `attack` (3 time constants), -60 dB in
    // `release` (6.91 time constants).
    const float attack = parameter(kAttack).current(), release = parameter(kRelease).current();
    if (attack != attackSeconds_) {
      attackSeconds_ = attack;
      s.attackPerTick = 1.0f - std::exp(-3.0f * tickSeconds / std::max(attack, 1e-3f));
    }
    if (release != releaseSeconds_) {
      releaseSeconds_ = release;
      s.releasePerTick = 1.0f - std::exp(-6.91f * tickSeconds / std::max(release, 1e-3f));
    }
    s.dynamics = parameter(kDynamics).current();
    const float expression = parameter(kExpression).current();
    s.expressionGain = expression * expression;
    s.breath = parameter(kBreath).current();
    s.spread = parameter(kSpread).current();
    const float level = parameter(kLevel).current();
    if (level != levelDb_) {
      levelDb_ = level;
      s.levelGain = decibelsToGain(level);
    }
    for (int q = 0; q < kQuads; ++q) {
      orchestra::choir::VoiceQuad& quad = quads_[static_cast<std::size_t>(q)];
      // A quad renders while a lane sounds, and one tick more so its last ramp reaches zero.
      const bool sounding = quad.anySounding();
      if (sounding || rendering_[q]) quad.control(s);
      rendering_[q] = sounding || quad.anySounding();
    }
  }

  std::array<orchestra::choir::VoiceQuad, kQuads> quads_{};
  bool rendering_[kQuads] = {};
  std::array<int, kMaxVoices> registers_{};
  dsp::ResonatorCoefficients formants_[kRegisterCount][kFormantCount]{};
  orchestra::choir::ChoirSettings settings_;
  dsp::Float4 left_[kControlFrames]{}, right_[kControlFrames]{};
  dsp::Random random_;
  dsp::ControlGrid grid_{kControlFrames};
  float attackSeconds_ = -1.0f, releaseSeconds_ = -1.0f, levelDb_ = 1e9f;
  bool formantsDirty_ = true;
};

}  // namespace

const NodeType kChoirType{
    .name = "choir",
    .description = "Choir section: formant voices (ah, oh, oo, ee, eh), several singers per note",
    .outputs = kStereoPorts,
    .parameters = kParameters,
    .acceptsNotes = true,
    .create = createNode<ChoirNode>,
    .role = NodeRole::kChoir,
    .bendRangeParameter = kBendRange,
};

}  // namespace reverie
