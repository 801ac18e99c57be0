// "gain": a smoothed level control.
#include "nodes/builtin_nodes.hpp"

namespace reverie {
namespace {

constexpr ParameterDescriptor kParameters[] = {
    {"gain", "Gain", "dB", -96.0f, 24.0f, 0.0f, 0.02f},
};

class GainNode final : public Node {
 public:
  GainNode() : Node(kGainType) {}

 protected:
  void render(const float* const* in, float* const* out, int frames) noexcept override {
    SmoothedValue& gain = parameter(0);
    if (!gain.isRamping()) {
      const float g = decibelsToGain(gain.current());
      for (int i = 0; i < frames; ++i) out[0][i] = in[0][i] * g;
      return;
    }
    for (int i = 0; i < frames; ++i) out[0][i] = in[0][i] * decibelsToGain(gain.next());
  }
};

}  // namespace

const NodeType kGainType{"gain",       "Smoothed gain in dB", kMonoInPort,
                         kMonoOutPort, kParameters,           false,
                         false,        createNode<GainNode>};

}  // namespace reverie
