// "chorus": the string-machine ensemble, three swept delay taps spread across the stereo field.
#include <algorithm>
#include <cmath>

#include "dsp/control_grid.hpp"
#include "dsp/dry_wet.hpp"
#include "dsp/ensemble_chorus.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

enum { kRate, kFastRate, kDepth, kDelay, kSpread, kMix };
constexpr ParameterDescriptor kParameters[] = {
    {"rate", "Slow (chorus) LFO rate", "Hz", 0.05f, 3.0f, 0.6f, 0.05f},
    {"fast_rate", "Fast (vibrato) LFO rate", "Hz", 1.0f, 12.0f, 6.0f, 0.05f},
    {"depth", "Modulation depth (1 = +-2 ms slow, +-0.3 ms fast)", "", 0.0f, 1.0f, 0.5f, 0.05f},
    {"delay", "Centre delay", "ms", 4.0f, 30.0f, 7.0f, 0.1f},
    {"spread", "Stereo spread of the three taps", "", 0.0f, 1.0f, 1.0f, 0.05f},
    rows::mix(0.5f),
};
static_assert(indicesMatch(kParameters, {{kRate, "rate"},
                                         {kFastRate, "fast_rate"},
                                         {kDepth, "depth"},
                                         {kDelay, "delay"},
                                         {kSpread, "spread"},
                                         {kMix, "mix"}}));

// Sweep depths at depth 1, in seconds (peak). Slow: 2 pi 0.6 Hz 2 ms = 0.75 % (13 cents) of
// pitch deviation; fast: 2 pi 6 Hz 0.3 ms = 1.1 % (20 cents): the lush, slightly seasick
// ensemble, and half of each at the default depth.
constexpr float kSlowDepthSeconds = 0.002f;
constexpr float kFastDepthSeconds = 0.0003f;
constexpr float kMaxDelaySeconds = 0.030f + kSlowDepthSeconds + kFastDepthSeconds + 0.001f;
constexpr int kGridFrames = dsp::EnsembleChorus::kControlFrames;
constexpr int kTaps = dsp::EnsembleChorus::kTaps;
constexpr int kControls[] = {kRate, kFastRate, kDepth, kDelay, kSpread};

class ChorusNode final : public Node {
 public:
  ChorusNode() : Node(kChorusType) {}

 protected:
  void onPrepare(const PrepareInfo& info) override {
    chorus_.init(static_cast<int>(std::ceil(kMaxDelaySeconds * info.sampleRate)));
    keepDryGains();
    grid_.reset();
  }

  void render(const float* const* in, float* const* out, int frames) noexcept override {
    float* dryGains = dryGainsOut();
    grid_.forEachSpan(frames, [&](int done, int span, bool onGrid) {
      // The sweep and the pan read the slow controls on the grid.
      dsp::stepControls(
          kControls, span, onGrid, [this](int p) -> SmoothedValue& { return parameter(p); },
          [this] { applyControls(); });
      dsp::stepInto(parameter(kMix), mix_, span);
      for (int j = 0; j < span; ++j) mono_[j] = 0.5f * (in[0][done + j] + in[1][done + j]);
      chorus_.render(mono_, wetLeft_, wetRight_, span);
      for (int j = 0; j < span; ++j) {
        const float dryLeft = in[0][done + j], dryRight = in[1][done + j];
        const float mix = mix_[j];
        dryGains[done + j] = 1.0f - mix;
        out[0][done + j] = dsp::blendDryWet(dryLeft, wetLeft_[j], mix);
        out[1][done + j] = dsp::blendDryWet(dryRight, wetRight_[j], mix);
      }
    });
  }

 private:
  void applyControls() noexcept {
    const float rate = static_cast<float>(info().sampleRate);
    const float depth = parameter(kDepth).current();
    chorus_.setSweep(parameter(kDelay).current() * 0.001f * rate, depth * kSlowDepthSeconds * rate,
                     depth * kFastDepthSeconds * rate, parameter(kRate).current() / rate,
                     parameter(kFastRate).current() / rate);
    // Taps at -spread, 0, +spread, equal-power panned; each carries 1/3 of the power, so three
    // uncorrelated taps come out at the input's level.
    float left[kTaps], right[kTaps];
    for (int k = 0; k < kTaps; ++k) {
      const float position = parameter(kSpread).current() * static_cast<float>(k - 1);
      left[k] = std::sqrt((1.0f - position) * (1.0f / 3.0f));
      right[k] = std::sqrt((1.0f + position) * (1.0f / 3.0f));
    }
    chorus_.setPan(left, right);
  }

  dsp::EnsembleChorus chorus_;
  dsp::ControlGrid grid_{kGridFrames};
  float mono_[kGridFrames] = {}, mix_[kGridFrames] = {};
  float wetLeft_[kGridFrames] = {}, wetRight_[kGridFrames] = {};
};

}  // namespace

const NodeType kChorusType{
    .name = "chorus",
    .description = "String-machine ensemble: three delay taps swept by 0.6 Hz and 6 Hz LFOs",
    .inputs = kStereoPorts,
    .outputs = kStereoPorts,
    .parameters = kParameters,
    .create = createNode<ChorusNode>,
};

}  // namespace reverie
