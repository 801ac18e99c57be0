// "audience": the hall's audience, driven by parameters: murmur, coughs, whispers, applause,
// cheers.
#include "instruments/audience/audience_node.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "dsp/control_grid.hpp"
#include "instruments/audience/applause.hpp"
#include "instruments/audience/babble.hpp"
#include "instruments/audience/cheer.hpp"
#include "instruments/audience/cough.hpp"
#include "instruments/audience/whisper.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

using namespace audience_parameter;
// clang-format off
constexpr ParameterDescriptor kParameters[] = {
    {"murmur", "Murmur: the babble of talkers, level", "", 0.0f, 1.0f, 0.5f, 0.5f},
    {"coughs", "Coughs across the hall", "per minute", 0.0f, 30.0f, 2.0f},
    {"whispers", "Whispered phrases nearby", "per minute", 0.0f, 30.0f, 1.0f},
    {"applause", "Applause enthusiasm: scattered hands (0.05) to a roar (1)", "", 0.0f, 1.0f, 0.0f, 0.25f},
    {"cheers", "Cheers (woo, yeah, whistles): how often and how loud", "", 0.0f, 1.0f, 0.0f, 0.1f},
    {"size", "Audience size: 24 to 400 clappers, 4 to 12 talkers", "", 0.0f, 1.0f, 0.6f},
    {"spread", "Stereo width of the audience", "", 0.0f, 1.0f, 0.8f},
    rows::level(0.0f, 0.05f),
};
// clang-format on
static_assert(indicesMatch(kParameters, {{kMurmur, "murmur"},
                                         {kCoughs, "coughs"},
                                         {kWhispers, "whispers"},
                                         {kApplause, "applause"},
                                         {kCheers, "cheers"},
                                         {kSize, "size"},
                                         {kSpread, "spread"},
                                         {kLevel, "level"}}));
// Only these ramp (smoothingSeconds > 0); the rest change at once.
constexpr int kSmoothed[] = {kMurmur, kApplause, kCheers, kLevel};

constexpr int kTickFrames = audience::Applause::kTickFrames;
static_assert(kTickFrames == audience::Babble::kTickFrames);
constexpr int kCoughVoices = 3, kWhisperVoices = 2, kCheerVoices = 4;
// Event levels against the murmur and applause (linear, before the level parameter).
constexpr float kCoughGain = 0.9f, kWhisperGain = 0.12f, kCheerGain = 0.25f;
constexpr float kCheersPerSecond = 3.0f;  // at cheers = 1, more for a bigger crowd

class AudienceNode final : public Node {
 public:
  AudienceNode() : Node(kAudienceType) {}

 protected:
  void onPrepare(const PrepareInfo& info) override {
    applause_.prepare(info.sampleRate, dsp::mixSeed(info.seed ^ 0xa991a05eull));
    babble_.prepare(info.sampleRate, dsp::mixSeed(info.seed ^ 0xbabb1eull));
    random_.reseed(dsp::mixSeed(info.seed ^ 0xe7e275ull));
    for (audience::Cough& c : coughs_) c = audience::Cough{}, c.prepare(info.sampleRate);
    for (audience::Whisper& w : whispers_) w = audience::Whisper{}, w.prepare(info.sampleRate);
    for (audience::Cheer& c : cheers_) c = audience::Cheer{}, c.prepare(info.sampleRate);
    grid_.reset();
    gain_ = gainStep_ = 0.0f;
  }

  void render(const float* const*, float* const* out, int frames) noexcept override {
    std::fill(out[0], out[0] + frames, 0.0f);
    std::fill(out[1], out[1] + frames, 0.0f);
    grid_.forEachSpan(frames, [&](int done, int n, bool onGrid) {
      const int phase = grid_.phase();
      if (onGrid) tick();
      dsp::stepRamps(kSmoothed, n, [this](int p) -> SmoothedValue& { return parameter(p); });
      float* left = out[0] + done;
      float* right = out[1] + done;
      if (!babble_.idle()) babble_.render(left, right, n);
      applause_.render(left, right, phase, n);
      for (audience::Cough& c : coughs_)
        if (c.active()) c.render(left, right, n);
      for (audience::Whisper& w : whispers_)
        if (w.active()) w.render(left, right, n);
      for (audience::Cheer& c : cheers_)
        if (c.active()) c.render(left, right, n);
      for (int i = 0; i < n; ++i) {
        left[i] *= gain_;
        right[i] *= gain_;
        gain_ += gainStep_;
      }
    });
  }

 private:
  /// Every kTickFrames samples, counted from the first: the crowd's state for the next tick.
  void tick() noexcept {
    const float tickSeconds = static_cast<float>(kTickFrames / info().sampleRate);
    const float size = parameter(kSize).current(), spread = parameter(kSpread).current();
    babble_.control(parameter(kMurmur).current(), size, spread);
    applause_.schedule(grid_.elapsed(), parameter(kApplause).current(), size, spread);

    // Coughs, whispers and cheers arrive as Poisson processes, each tick a coin toss.
    if (random_.uniform() < parameter(kCoughs).current() / 60.0f * tickSeconds)
      startIn(coughs_, kCoughGain * (0.3f + 0.7f * random_.uniform()), spread);
    if (random_.uniform() < parameter(kWhispers).current() / 60.0f * tickSeconds)
      startIn(whispers_, kWhisperGain * (0.5f + 0.5f * random_.uniform()), spread);
    const float cheers = std::clamp(parameter(kCheers).current(), 0.0f, 1.0f);
    if (random_.uniform() < kCheersPerSecond * cheers * cheers * (0.5f + size) * tickSeconds)
      startIn(cheers_, kCheerGain * (0.4f + 0.6f * cheers) * (0.5f + 0.5f * random_.uniform()),
              spread);

    const float target = decibelsToGain(parameter(kLevel).current());
    gainStep_ = (target - gain_) / static_cast<float>(kTickFrames);
  }

  /// Starts a free generator of the pool; when all are busy the event is let go.
  template <typename Pool>
  void startIn(Pool& pool, float gain, float spread) noexcept {
    const float pan = std::clamp(spread, 0.0f, 1.0f) * random_.bipolar();
    for (auto& generator : pool) {
      if (generator.active()) continue;
      generator.start(random_, gain, pan);
      return;
    }
  }

  audience::Applause applause_;
  audience::Babble babble_;
  std::array<audience::Cough, kCoughVoices> coughs_{};
  std::array<audience::Whisper, kWhisperVoices> whispers_{};
  std::array<audience::Cheer, kCheerVoices> cheers_{};
  dsp::Random random_;
  dsp::ControlGrid grid_{kTickFrames};
  float gain_ = 0.0f, gainStep_ = 0.0f;
};

}  // namespace

const NodeType kAudienceType{
    .name = "audience",
    .description =
        "The audience: murmur, coughs, whispers, applause and cheers, driven by parameters",
    .outputs = kStereoPorts,
    .parameters = kParameters,
    .create = createNode<AudienceNode>,
    .role = NodeRole::kAudience,
};

}  // namespace reverie
