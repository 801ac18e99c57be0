// "mixer": four mono channels with level and pan onto a stereo pair.
#include <cmath>

#include "dsp/math_constants.hpp"
#include "nodes/builtin_nodes.hpp"

namespace reverie {
namespace {

constexpr int kChannels = 4;
constexpr std::string_view kInputs[] = {"in1", "in2", "in3", "in4"};
constexpr std::string_view kOutputs[] = {"left", "right"};
// Levels first, then pans: parameter 2c is channel c's level, 2c+1 its pan.
constexpr ParameterDescriptor kParameters[] = {
    {"level1", "Channel 1 level", "dB", -96.0f, 12.0f, 0.0f, 0.02f},
    {"pan1", "Channel 1 pan", "", -1.0f, 1.0f, 0.0f, 0.02f},
    {"level2", "Channel 2 level", "dB", -96.0f, 12.0f, 0.0f, 0.02f},
    {"pan2", "Channel 2 pan", "", -1.0f, 1.0f, 0.0f, 0.02f},
    {"level3", "Channel 3 level", "dB", -96.0f, 12.0f, 0.0f, 0.02f},
    {"pan3", "Channel 3 pan", "", -1.0f, 1.0f, 0.0f, 0.02f},
    {"level4", "Channel 4 level", "dB", -96.0f, 12.0f, 0.0f, 0.02f},
    {"pan4", "Channel 4 pan", "", -1.0f, 1.0f, 0.0f, 0.02f},
};

class MixerNode final : public Node {
 public:
  MixerNode() : Node(kMixerType) {}

 protected:
  void render(const float* const* in, float* const* out, int frames) noexcept override {
    for (int i = 0; i < frames; ++i) {
      float left = 0.0f, right = 0.0f;
      for (int c = 0; c < kChannels; ++c) {
        SmoothedValue& level = parameter(2 * c);
        SmoothedValue& pan = parameter(2 * c + 1);
        if (dirty_ || level.isRamping() || pan.isRamping()) {
          // Equal-power pan law: -3 dB in each side at the centre.
          const float gain = decibelsToGain(level.next());
          const float angle = (pan.next() + 1.0f) * 0.25f * dsp::kPiF;
          gainLeft_[c] = gain * std::cos(angle);
          gainRight_[c] = gain * std::sin(angle);
        }
        left += in[c][i] * gainLeft_[c];
        right += in[c][i] * gainRight_[c];
      }
      dirty_ = false;
      out[0][i] = left;
      out[1][i] = right;
    }
  }
  void onParameterChanged(int) noexcept override { dirty_ = true; }

 private:
  float gainLeft_[kChannels] = {};
  float gainRight_[kChannels] = {};
  bool dirty_ = true;
};

}  // namespace

const NodeType kMixerType{
    "mixer",     "Four mono channels with level and equal-power pan to stereo",
    kInputs,     kOutputs,
    kParameters, false,
    false,       []() -> std::unique_ptr<Node> { return std::make_unique<MixerNode>(); }};

}  // namespace reverie
