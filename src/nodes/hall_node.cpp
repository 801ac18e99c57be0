// "hall": the shared concert hall, a 16-line feedback delay network with frequency-dependent decay.
#include <algorithm>
#include <cmath>

#include "dsp/control_grid.hpp"
#include "dsp/fdn_reverb.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

enum {
  kT60,
  kHfRatio,
  kCrossover,
  kSize,
  kPredelay,
  kDiffusion,
  kModulation,
  kWidth,
  kMix,
  kLevel
};
constexpr ParameterDescriptor kParameters[] = {
    {"t60", "Decay time (RT60) below the crossover", "s", 0.2f, 20.0f, 2.4f, 0.1f},
    {"hf_ratio", "High-frequency decay time as a fraction of t60", "", 0.1f, 1.0f, 0.5f, 0.1f},
    {"crossover", "Where the high-frequency decay takes over", "Hz", 1000.0f, 16000.0f, 6000.0f,
     0.1f},
    // Not smoothed here: the delay lines glide to their new lengths over kSizeGlideSeconds.
    {"size", "Room size (delay-line lengths, 0.2x to 1x)", "", 0.0f, 1.0f, 0.7f},
    // Slow: a pre-delay change reads the input faster or slower for a while, like tape.
    {"predelay", "Pre-delay", "ms", 0.0f, 250.0f, 20.0f, 0.5f},
    {"diffusion", "Input diffusion", "", 0.0f, 1.0f, 0.7f, 0.05f},
    {"modulation", "Delay-length modulation depth (against metallic ringing)", "", 0.0f, 1.0f, 0.5f,
     0.1f},
    {"width", "Stereo width of the tail (0 = mono)", "", 0.0f, 1.0f, 1.0f, 0.02f},
    rows::mix(0.3f),
    rows::level(0.0f, 0.02f, "Wet level"),
};
static_assert(indicesMatch(kParameters, {{kT60, "t60"},
                                         {kHfRatio, "hf_ratio"},
                                         {kCrossover, "crossover"},
                                         {kSize, "size"},
                                         {kPredelay, "predelay"},
                                         {kDiffusion, "diffusion"},
                                         {kModulation, "modulation"},
                                         {kWidth, "width"},
                                         {kMix, "mix"},
                                         {kLevel, "level"}}));

constexpr double kMaxPredelaySeconds = 0.25;
// A size change moves every line over one second: at most an 8 % pitch bend in the tail while
// it moves, instead of the click a jump in length would make.
constexpr double kSizeGlideSeconds = 1.0;
// Control grid, in frames since prepare: decay, size and pre-delay reach the network here, so
// the output does not depend on how the host splits blocks.
constexpr int kGridFrames = 32;
constexpr int kControls[] = {kT60, kHfRatio, kCrossover, kPredelay, kDiffusion, kModulation};

class HallNode final : public Node {
 public:
  HallNode() : Node(kHallType) {}

 protected:
  void onPrepare(const PrepareInfo& info) override {
    reverb_.init(info.sampleRate, kMaxPredelaySeconds);
    keepDryGains();
    sizeSeen_ = parameter(kSize).target();
    reverb_.setSize(sizeSeen_, 0);
    applyControls();
    grid_.reset();
  }

  void render(const float* const* in, float* const* out, int frames) noexcept override {
    float* dryGains = dryGainsOut();
    grid_.forEachSpan(frames, [&](int done, int span, bool onGrid) {
      // The slow controls reach the network on the grid.
      dsp::stepControls(
          kControls, span, onGrid, [this](int p) -> SmoothedValue& { return parameter(p); },
          [this] { applyControls(); });
      dsp::stepInto(parameter(kMix), mix_, span);
      dsp::stepInto(parameter(kWidth), width_, span);
      if (parameter(kLevel).isRamping()) {
        for (int j = 0; j < span; ++j) levelGains_[j] = decibelsToGain(parameter(kLevel).next());
      } else {
        std::fill(levelGains_, levelGains_ + span, decibelsToGain(parameter(kLevel).current()));
      }
      reverb_.render(in[0] + done, in[1] + done, wetLeft_, wetRight_, span);
      for (int j = 0; j < span; ++j) {
        const float dryLeft = in[0][done + j], dryRight = in[1][done + j];
        const float mix = mix_[j];
        dryGains[done + j] = 1.0f - mix;
        // Width by mid/side: 0 sums the two decorrelated taps to mono.
        const float mid = 0.5f * (wetLeft_[j] + wetRight_[j]);
        const float side = 0.5f * (wetLeft_[j] - wetRight_[j]) * width_[j];
        const float wet = mix * levelGains_[j];
        // mix = 0 is exactly the dry signal, bit for bit, whatever the tail holds.
        out[0][done + j] = mix == 0.0f ? dryLeft : dryLeft * (1.0f - mix) + (mid + side) * wet;
        out[1][done + j] = mix == 0.0f ? dryRight : dryRight * (1.0f - mix) + (mid - side) * wet;
      }
    });
  }

 private:
  void applyControls() noexcept {
    const float rate = static_cast<float>(info().sampleRate);
    reverb_.setDecay(parameter(kT60).current() * rate, parameter(kHfRatio).current(),
                     parameter(kCrossover).current() / rate);
    reverb_.setPredelay(parameter(kPredelay).current() * 0.001f * rate);
    reverb_.setDiffusion(parameter(kDiffusion).current());
    reverb_.setModulation(parameter(kModulation).current());
    const float size = parameter(kSize).current();
    if (size != sizeSeen_) {
      sizeSeen_ = size;
      reverb_.setSize(size, static_cast<int>(kSizeGlideSeconds * info().sampleRate));
    }
  }

  dsp::FdnReverb reverb_;
  dsp::ControlGrid grid_{kGridFrames};
  float sizeSeen_ = 0.0f;
  float mix_[kGridFrames] = {}, width_[kGridFrames] = {}, levelGains_[kGridFrames] = {};
  float wetLeft_[kGridFrames] = {}, wetRight_[kGridFrames] = {};
};

}  // namespace

const NodeType kHallType{
    .name = "hall",
    .description = "Concert hall: 16-line feedback delay network, frequency-dependent decay",
    .inputs = kStereoPorts,
    .outputs = kStereoPorts,
    .parameters = kParameters,
    .create = createNode<HallNode>,
};

}  // namespace reverie
