// "mixer": four mono channels with level and pan onto a stereo pair.
#include <cmath>

#include "dsp/math_constants.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

constexpr int kChannels = 4;
constexpr std::string_view kInputs[] = {"in1", "in2", "in3", "in4"};
// Levels first, then pans: parameter 2c is channel c's level, 2c+1 its pan.
constexpr ParameterDescriptor kParameters[] = {
    rows::level(0.0f, 0.02f, "Channel 1 level", "level1"),
    {"pan1", "Channel 1 pan", "", -1.0f, 1.0f, 0.0f, 0.02f},
    rows::level(0.0f, 0.02f, "Channel 2 level", "level2"),
    {"pan2", "Channel 2 pan", "", -1.0f, 1.0f, 0.0f, 0.02f},
    rows::level(0.0f, 0.02f, "Channel 3 level", "level3"),
    {"pan3", "Channel 3 pan", "", -1.0f, 1.0f, 0.0f, 0.02f},
    rows::level(0.0f, 0.02f, "Channel 4 level", "level4"),
    {"pan4", "Channel 4 pan", "", -1.0f, 1.0f, 0.0f, 0.02f},
};
static_assert(indicesMatch(kParameters, {{0, "level1"},
                                         {1, "pan1"},
                                         {2, "level2"},
                                         {3, "pan2"},
                                         {4, "level3"},
                                         {5, "pan3"},
                                         {6, "level4"},
                                         {7, "pan4"}}));

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
    kInputs,     kStereoPorts,
    kParameters, false,
    false,       createNode<MixerNode>};

}  // namespace reverie
