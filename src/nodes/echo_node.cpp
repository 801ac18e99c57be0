// "echo": a stereo ping-pong delay with a darkening feedback path.
#include <vector>

#include "dsp/math_constants.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

constexpr double kMaxSeconds = 2.0;
enum { kTime, kFeedback, kMix, kTone };
constexpr ParameterDescriptor kParameters[] = {
    {"time", "Delay time", "s", 0.01f, 2.0f, 0.375f, 0.2f},
    {"feedback", "Feedback", "", 0.0f, 0.95f, 0.45f, 0.02f},
    rows::mix(0.3f, "Wet mix"),
    {"tone", "Feedback low-pass", "Hz", 200.0f, 20000.0f, 4000.0f, 0.02f},
};
static_assert(indicesMatch(
    kParameters, {{kTime, "time"}, {kFeedback, "feedback"}, {kMix, "mix"}, {kTone, "tone"}}));

class EchoNode final : public Node {
 public:
  EchoNode() : Node(kEchoType) {}

 protected:
  void onPrepare(const PrepareInfo& info) override {
    size_ = static_cast<int>(kMaxSeconds * info.sampleRate) + 2;
    left_.assign(static_cast<std::size_t>(size_), 0.0f);
    right_.assign(static_cast<std::size_t>(size_), 0.0f);
    keepDryGains();
  }
  void render(const float* const* in, float* const* out, int frames) noexcept override {
    const float rate = static_cast<float>(info().sampleRate);
    float* dryGains = dryGainsOut();
    for (int i = 0; i < frames; ++i) {
      const float delayFrames = parameter(kTime).next() * rate;
      const float feedback = parameter(kFeedback).next();
      const float mix = parameter(kMix).next();
      dryGains[i] = 1.0f - mix;
      // One-pole low-pass in the loop: each repeat a little darker, as tape and air do.
      const float toneCoef = 1.0f - std::exp(-dsp::kTwoPiF * parameter(kTone).next() / rate);
      const float wetL = read(left_, delayFrames);
      const float wetR = read(right_, delayFrames);
      dampL_ += (wetL - dampL_) * toneCoef;
      dampR_ += (wetR - dampR_) * toneCoef;
      // Ping-pong: each side's repeat feeds the other side.
      left_[static_cast<std::size_t>(write_)] = in[0][i] + dampR_ * feedback;
      right_[static_cast<std::size_t>(write_)] = in[1][i] + dampL_ * feedback;
      write_ = write_ + 1 == size_ ? 0 : write_ + 1;
      out[0][i] = in[0][i] * (1.0f - mix) + wetL * mix;
      out[1][i] = in[1][i] * (1.0f - mix) + wetR * mix;
    }
  }

 private:
  float read(const std::vector<float>& line, float delayFrames) const {
    float position = static_cast<float>(write_) - delayFrames;
    if (position < 0.0f) position += static_cast<float>(size_);
    const int a = static_cast<int>(position);
    const int b = a + 1 == size_ ? 0 : a + 1;
    const float frac = position - static_cast<float>(a);
    return line[static_cast<std::size_t>(a)] +
           (line[static_cast<std::size_t>(b)] - line[static_cast<std::size_t>(a)]) * frac;
  }
  std::vector<float> left_, right_;
  int size_ = 0;
  int write_ = 0;
  float dampL_ = 0.0f, dampR_ = 0.0f;
};

}  // namespace

const NodeType kEchoType{"echo",       "Stereo ping-pong delay with a darkening feedback path",
                         kStereoPorts, kStereoPorts,
                         kParameters,  false,
                         false,        createNode<EchoNode>};

}  // namespace reverie
