// "noise": seeded white or pink noise.
#include "dsp/random.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

constexpr std::string_view kColours[] = {"white", "pink"};
enum { kColour, kLevel };
constexpr ParameterDescriptor kParameters[] = {
    {"colour", "Colour", "", 0.0f, 1.0f, 0.0f, 0.0f, kColours},
    rows::level(-24.0f),
};
static_assert(indicesMatch(kParameters, {{kColour, "colour"}, {kLevel, "level"}}));

class NoiseNode final : public Node {
 public:
  NoiseNode() : Node(kNoiseType) {}

 protected:
  void onPrepare(const PrepareInfo& info) override { random_.reseed(info.seed); }
  void render(const float* const*, float* const* out, int frames) noexcept override {
    const bool pink = parameter(kColour).current() > 0.5f;
    for (int i = 0; i < frames; ++i) {
      const float white = random_.bipolar();
      float value = white;
      if (pink) {
        // Paul Kellet's economy pink filter (music-dsp archive, 1999): -3 dB/octave within
        // 0.5 dB above 40 Hz at 44.1 kHz; the gain brings it back to about unit RMS.
        b0_ = 0.99765f * b0_ + white * 0.0990460f;
        b1_ = 0.96300f * b1_ + white * 0.2965164f;
        b2_ = 0.57000f * b2_ + white * 1.0526913f;
        value = (b0_ + b1_ + b2_ + white * 0.1848f) * 0.25f;
      }
      out[0][i] = value * decibelsToGain(parameter(kLevel).next());
    }
  }

 private:
  dsp::Random random_;
  float b0_ = 0.0f, b1_ = 0.0f, b2_ = 0.0f;
};

}  // namespace

const NodeType kNoiseType{
    "noise", "Seeded white or pink noise", {}, kMonoOutPort, kParameters, false,
    false,   createNode<NoiseNode>};

}  // namespace reverie
