// "timpani": kettledrums as modal membranes; single strokes, swelling rolls, and a heartbeat.
#include "instruments/orchestra/timpani_node.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "dsp/dc_blocker.hpp"
#include "dsp/modal_kernel.hpp"
#include "dsp/random.hpp"
#include "instruments/orchestra/section_node.hpp"
#include "instruments/orchestra/timpani_voice.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

constexpr std::string_view kPatterns[] = {"single", "roll", "heartbeat"};
using namespace timpani_parameter;
constexpr ParameterDescriptor kParameters[] = {
    rows::voices(64.0f, 8.0f, "Polyphony (drums ringing at once)"),
    {"pattern", "While a key is held: one stroke, a roll, or a heartbeat", "", 0.0f, 2.0f, 0.0f,
     0.0f, kPatterns},
    {"roll_rate", "Roll strokes per second", "Hz", 2.0f, 30.0f, 14.0f},
    {"heart_rate", "Heartbeat tempo (lub-dub pairs per minute)", "BPM", 30.0f, 200.0f, 66.0f},
    {"hardness", "Mallet hardness: shorter contact, brighter", "", 0.0f, 1.0f, 0.4f},
    {"t60", "Decay time of the principal (1,1) mode", "s", 0.3f, 20.0f, 4.0f},
    rows::dynamics("Dynamics: stroke force, so level and brightness (CC1)", 0.8f, 0.03f),
    rows::expression("Expression: level (CC11)", 0.03f),
    rows::bendRange(12.0f, "Pitch-bend range (a pedal glissando)"),
    rows::tuning(),
    rows::level(0.0f),
    {"position", "Strike point from the centre (0) to the rim (1)", "", 0.0f, 1.0f, 0.75f},
    {"release", "Decay once the key is up (the maximum lets the drum ring)", "s", 0.05f, 30.0f,
     30.0f},
    {"jitter", "Irregularity of a roll's timing and force", "", 0.0f, 1.0f, 0.3f},
};
static_assert(indicesMatch(kParameters, {{kVoices, "voices"},
                                         {kPattern, "pattern"},
                                         {kRollRate, "roll_rate"},
                                         {kHeartRate, "heart_rate"},
                                         {kHardness, "hardness"},
                                         {kT60, "t60"},
                                         {kDynamics, "dynamics"},
                                         {kExpression, "expression"},
                                         {kBendRange, "bend_range"},
                                         {kTuning, "tuning"},
                                         {kLevel, "level"},
                                         {kPosition, "position"},
                                         {kRelease, "release"},
                                         {kJitter, "jitter"}}));
static_assert(kPatterns[static_cast<int>(Pattern::kSingle)] == "single" &&
              kPatterns[static_cast<int>(Pattern::kRoll)] == "roll" &&
              kPatterns[static_cast<int>(Pattern::kHeartbeat)] == "heartbeat");
constexpr orchestra::SectionLayout kLayout{
    .polyphony = kVoices, .dynamics = kDynamics, .expression = kExpression, .tuning = kTuning};
constexpr int kCheckFrames = 256;  // a drum whose modes have died is stopped on this grid
// Below its lowest mode a drum radiates next to nothing. The voices drive their modes as the
// head's velocity moves air (TimpaniVoice::strike), which removed the offset and the 2-10 Hz
// lines (-37 dBFS at a heartbeat's stroke rate) that a displacement-like drive left; a steep
// blocker at 22 Hz guards the output besides and leaves E1 (41 Hz) within 0.1 dB.
constexpr double kDcCutoffHz = 22.0;

/// A held key's stroke pattern, counted in samples.
struct StrokeClock {
  Pattern pattern = Pattern::kSingle;
  bool armed = false;       // strokes still to come while the key is held
  bool dubNext = false;     // heartbeat: the next stroke is the softer second one
  bool leftHand = false;    // roll: hands alternate
  long framesToStroke = 0;  // frames until the next stroke
  float velocity = 0.0f;
};

class TimpaniNode final : public orchestra::SectionNode {
 public:
  TimpaniNode() : SectionNode(kTimpaniType, kLayout) {}

 protected:
  void onPrepare(const PrepareInfo& info) override {
    const std::size_t frames = static_cast<std::size_t>(info.maxBlockFrames);
    mid_.assign(frames, 0.0f);
    side_.assign(frames, 0.0f);
    scratch_.assign(frames, 0.0f);
    dynamics_.assign(frames, 0.0f);
    expression_.assign(frames, 0.0f);
    kernel_ = dsp::modalKernel();
    for (int v = 0; v < kMaxVoices; ++v) {
      // Each voice draws from its own streams, so the order voices render in never matters.
      const std::uint64_t seed = dsp::mixSeed(info.seed ^ (0x71a9ull * (v + 1)));
      drums_[static_cast<std::size_t>(v)].prepare(info.sampleRate, dsp::mixSeed(seed));
      randoms_[static_cast<std::size_t>(v)].reseed(seed);
      clocks_[static_cast<std::size_t>(v)] = {};
    }
    gain_ = decibelsToGain(parameter(kLevel).current());
    frame_ = 0;
    for (dsp::DcBlocker& blocker : dcBlockers_) {
      blocker.setCutoff(kDcCutoffHz / info.sampleRate);
      blocker.reset();
    }
  }

  void onParameterChanged(int index) noexcept override {
    SectionNode::onParameterChanged(index);
    if (index == kLevel && !parameter(kLevel).isRamping())
      gain_ = decibelsToGain(parameterTarget(kLevel));
  }

  void startVoice(int voice, int, bool) noexcept override {
    const orchestra::VoiceSlot& s = slot(voice);
    StrokeClock& clock = clocks_[static_cast<std::size_t>(voice)];
    drums_[static_cast<std::size_t>(voice)].tune(keyHz(s.key), parameterTarget(kT60));
    clock.pattern = static_cast<Pattern>(static_cast<int>(parameterTarget(kPattern)));
    clock.velocity = s.velocity;
    clock.leftHand = false;
    clock.dubNext = false;
    clock.armed = false;
    stroke(voice, parameter(kDynamics).current());
  }
  void releaseVoice(int voice) noexcept override {
    clocks_[static_cast<std::size_t>(voice)].armed = false;
    drums_[static_cast<std::size_t>(voice)].damp(parameterTarget(kRelease));
  }
  void silenceVoice(int voice) noexcept override {
    clocks_[static_cast<std::size_t>(voice)].armed = false;
    drums_[static_cast<std::size_t>(voice)].silence();
  }
  bool voiceSounding(int voice) const noexcept override {
    return drums_[static_cast<std::size_t>(voice)].ringing() ||
           clocks_[static_cast<std::size_t>(voice)].armed;
  }
  void retune() noexcept override {
    for (int v = 0; v < kMaxVoices; ++v)
      if (voiceSounding(v) && slot(v).key >= 0)
        drums_[static_cast<std::size_t>(v)].setFrequencyHz(keyHz(slot(v).key));
  }

  void render(const float* const*, float* const* out, int frames) noexcept override {
    // Controllers per sample first: a roll's strokes read the dynamics at their own sample.
    for (const auto& [index, values] :
         {std::pair{kDynamics, &dynamics_}, std::pair{kExpression, &expression_}}) {
      SmoothedValue& p = parameter(index);
      if (p.isRamping()) {
        for (int i = 0; i < frames; ++i) (*values)[static_cast<std::size_t>(i)] = p.next();
      } else {
        std::fill(values->begin(), values->begin() + frames, p.current());
      }
    }
    std::fill(mid_.begin(), mid_.begin() + frames, 0.0f);
    std::fill(side_.begin(), side_.begin() + frames, 0.0f);
    for (int done = 0; done < frames;) {
      // Strokes due now; then a segment up to the next stroke, the end of a mallet contact or
      // the silence-check grid (absolute frames), whichever comes first.
      int span = std::min(frames - done, kCheckFrames - static_cast<int>(frame_ % kCheckFrames));
      int count = 0;
      for (int v = 0; v < kMaxVoices; ++v) {
        StrokeClock& clock = clocks_[static_cast<std::size_t>(v)];
        orchestra::TimpaniVoice& drum = drums_[static_cast<std::size_t>(v)];
        if (clock.armed && clock.framesToStroke == 0)
          stroke(v, dynamics_[static_cast<std::size_t>(done)]);
        if (clock.armed) span = static_cast<int>(std::min<long>(span, clock.framesToStroke));
        if (!drum.ringing()) continue;
        if (drum.contactFrames() > 0) span = std::min(span, drum.contactFrames());
        ringing_[static_cast<std::size_t>(count++)] = &drum;
      }
      orchestra::TimpaniVoice::renderDrums(ringing_.data(), count, mid_.data() + done,
                                           side_.data() + done, scratch_.data(), span, kernel_);
      for (StrokeClock& clock : clocks_)
        if (clock.armed) clock.framesToStroke -= span;
      done += span;
      frame_ += static_cast<std::uint64_t>(span);
      if (frame_ % kCheckFrames == 0)
        for (int v = 0; v < count; ++v) ringing_[static_cast<std::size_t>(v)]->checkSilence();
    }
    SmoothedValue& level = parameter(kLevel);
    if (level.isRamping()) {  // the level ramps per sample into the expression curve
      for (int i = 0; i < frames; ++i) {
        if (level.isRamping()) gain_ = decibelsToGain(level.next());
        expression_[static_cast<std::size_t>(i)] *= gain_;
      }
    } else {
      for (int i = 0; i < frames; ++i) expression_[static_cast<std::size_t>(i)] *= gain_;
    }
    const float* gain = expression_.data();
    const float* m = mid_.data();
    const float* s = side_.data();
    for (int i = 0; i < frames; ++i) {
      const float mid = dcBlockers_[0].process(m[i]);
      const float side = dcBlockers_[1].process(s[i]);
      out[0][i] = (mid + side) * gain[i];
      out[1][i] = (mid - side) * gain[i];
    }
  }

 private:
  /// One stroke of slot `voice` now, and the scheduling of its pattern's next stroke.
  void stroke(int voice, float dynamics) noexcept {
    StrokeClock& clock = clocks_[static_cast<std::size_t>(voice)];
    dsp::Random& random = randoms_[static_cast<std::size_t>(voice)];
    const double rate = info().sampleRate;
    // Dynamics set the force (level and, through the contact time, brightness).
    float force = clock.velocity * (0.15f + 0.85f * std::clamp(dynamics, 0.0f, 1.0f));
    float hardness = parameterTarget(kHardness);
    const float jitter = parameterTarget(kJitter);
    switch (clock.pattern) {
      case Pattern::kSingle:
        clock.armed = false;
        break;
      case Pattern::kRoll: {
        // Alternating hands, never quite even: seeded jitter in force and timing.
        force *= (clock.leftHand ? 0.93f : 1.0f) * (1.0f + 0.2f * jitter * random.bipolar());
        hardness += clock.leftHand ? -0.04f : 0.0f;
        clock.leftHand = !clock.leftHand;
        const double period = rate / parameterTarget(kRollRate);
        clock.framesToStroke =
            std::max(1L, std::lround(period * (1.0 + 0.12 * jitter * random.bipolar())));
        clock.armed = true;
        break;
      }
      case Pattern::kHeartbeat: {
        // Lub-dub: the second stroke softer, 0.3 s after the first (less at a racing pulse).
        const double period = rate * 60.0 / parameterTarget(kHeartRate);
        const double dub = std::min(0.3 * rate, 0.45 * period);
        if (clock.dubNext) force *= 0.6f;
        clock.framesToStroke = std::max(1L, std::lround(clock.dubNext ? period - dub : dub));
        clock.dubNext = !clock.dubNext;
        clock.armed = true;
        break;
      }
    }
    drums_[static_cast<std::size_t>(voice)].strike(force, hardness, parameterTarget(kPosition));
  }

  std::array<orchestra::TimpaniVoice, kMaxVoices> drums_{};
  std::array<StrokeClock, kMaxVoices> clocks_{};
  std::array<dsp::Random, kMaxVoices> randoms_;
  std::array<orchestra::TimpaniVoice*, kMaxVoices> ringing_{};
  std::vector<float> mid_, side_, scratch_, dynamics_, expression_;
  std::array<dsp::DcBlocker, 2> dcBlockers_{};  // mid, side
  dsp::ModalKernel kernel_ = nullptr;
  std::uint64_t frame_ = 0;  // frames rendered since prepare: the silence-check grid
  float gain_ = 1.0f;
};

}  // namespace

const NodeType kTimpaniType{
    .name = "timpani",
    .description =
        "Timpani: modal kettledrums (2:3:4 modes); strokes, swelling rolls and a heartbeat",
    .outputs = kStereoPorts,
    .parameters = kParameters,
    .acceptsNotes = true,
    .create = createNode<TimpaniNode>,
    .role = NodeRole::kTimpani,
    .bendRangeParameter = timpani_parameter::kBendRange,
};

}  // namespace reverie
