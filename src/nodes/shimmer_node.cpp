// "shimmer": the crystal's halo, an octave-up pitch shifter inside a diffuse feedback loop.
#include <array>
#include <cmath>

#include "dsp/allpass_diffuser.hpp"
#include "dsp/math_constants.hpp"
#include "dsp/pitch_shifter.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

constexpr std::string_view kInputs[] = {"left", "right"};
constexpr std::string_view kOutputs[] = {"left", "right"};
enum { kShift, kFeedback, kMix, kTone, kSize };
constexpr ParameterDescriptor kParameters[] = {
    {"shift", "Pitch shift per pass", "semitones", 0.0f, 24.0f, 12.0f, 0.05f},
    {"feedback", "Feedback", "", 0.0f, 0.95f, 0.6f, 0.02f},
    rows::mix(0.35f, "Wet mix"),
    {"tone", "Feedback low-pass", "Hz", 500.0f, 18000.0f, 6000.0f, 0.02f},
    // Slow: size moves the diffuser's delays, and a fast move would bend the pitch.
    {"size", "Diffusion size", "", 0.1f, 1.0f, 0.6f, 1.0f},
};
static_assert(indicesMatch(
    kParameters,
    {{kShift, "shift"}, {kFeedback, "feedback"}, {kMix, "mix"}, {kTone, "tone"}, {kSize, "size"}}));

constexpr int kDiffuserStages = 5;
constexpr float kDiffuserGain = 0.6f;
// Shifter window: a 20 Hz period (50 ms) fits, and the splice warble (1/window, 17 Hz) is fast
// enough to read as shimmer rather than as separate grains.
constexpr double kWindowSeconds = 0.06;
constexpr double kDcBlockHz = 20.0;
// Allpass lengths at size 1 and 48 kHz (10-35 ms), all prime; the right channel's differ so a
// mono source comes out wide.
constexpr std::array<int, kDiffuserStages> kLengthsLeft = {463, 673, 919, 1249, 1663};
constexpr std::array<int, kDiffuserStages> kLengthsRight = {487, 709, 953, 1303, 1693};
// A pause in the loop before each pass, so the octaves climb as distinct steps (~5 a second)
// rather than a smear; unequal so the two sides climb a little apart.
constexpr double kLoopDelaySecondsLeft = 0.120;
constexpr double kLoopDelaySecondsRight = 0.137;
// The loop's output never leaves +-kWetCeiling (+6 dBFS). Feedback < 1 and the lossy filters
// already make the loop decay (full-scale noise at feedback 0.95 stays below +-2 without it);
// the saturator turns that into a guarantee for any input and parameter path, as tape would.
constexpr float kWetCeiling = 2.0f;

/// tanh-like soft clip: the (3,2) Pade approximant of tanh, u (27 + u^2) / (27 + 9 u^2), which
/// meets +-1 with zero slope at u = +-3: -0.6 dB of squash at half the ceiling, -0.16 dB at
/// a quarter (a -6 dBFS halo), so ordinary levels pass nearly clean.
inline float softClip(float x) {
  const float scaled = x * (1.0f / kWetCeiling);
  const float u = scaled < -3.0f ? -3.0f : (scaled > 3.0f ? 3.0f : scaled);
  return kWetCeiling * u * (27.0f + u * u) / (27.0f + 9.0f * u * u);
}

/// One side of the halo: its loop state and the blocks it runs through.
struct HaloChannel {
  dsp::PitchShifter shifter;
  dsp::AllpassDiffuser<kDiffuserStages> diffuser;
  float loopDelayFrames = 0.0f;
  float toneState = 0.0f;                 // one-pole low-pass
  float dcInput = 0.0f, dcOutput = 0.0f;  // one-pole high-pass
  float feedbackSample = 0.0f;            // last pass's output, filtered, ready to re-enter

  /// One frame: returns the wet sample and prepares the feedback for the next frame.
  float process(float x, float ratio, float feedback, float toneCoef, float dcPole) {
    // A NaN or Inf from upstream would live in the loop forever; the dry path still carries it.
    if (!(std::fabs(x) <= 1e6f)) x = 0.0f;
    const float shifted = shifter.process(x + feedback * feedbackSample, ratio, loopDelayFrames);
    const float wet = softClip(diffuser.process(shifted));
    // Gentle high-cut: each pass a little darker, so the rising octaves fade before Nyquist.
    toneState += (wet - toneState) * toneCoef;
    // DC blocker: the saturator and the shifter's windows must not build an offset in the loop.
    dcOutput = toneState - dcInput + dcPole * dcOutput;
    dcInput = toneState;
    feedbackSample = dcOutput;
    return wet;
  }
};

class ShimmerNode final : public Node {
 public:
  ShimmerNode() : Node(kShimmerType) {}

 protected:
  void onPrepare(const PrepareInfo& info) override {
    const double rate = info.sampleRate;
    const double scale = rate / 48000.0;
    auto scaled = [scale](const std::array<int, kDiffuserStages>& lengths) {
      std::array<int, kDiffuserStages> out{};
      for (int i = 0; i < kDiffuserStages; ++i)
        out[static_cast<std::size_t>(i)] =
            static_cast<int>(std::lround(lengths[static_cast<std::size_t>(i)] * scale));
      return out;
    };
    const int window = static_cast<int>(std::lround(kWindowSeconds * rate));
    const double loopDelays[] = {kLoopDelaySecondsLeft, kLoopDelaySecondsRight};
    for (int c = 0; c < 2; ++c) {
      HaloChannel& channel = channels_[c];
      channel = HaloChannel{};
      channel.loopDelayFrames = static_cast<float>(loopDelays[c] * rate);
      // Heads a quarter window apart: left and right never jump at the same frame.
      channel.shifter.init(window, static_cast<int>(channel.loopDelayFrames) + 1, 0.25 * c);
      channel.diffuser.init(scaled(c == 0 ? kLengthsLeft : kLengthsRight), kDiffuserGain);
    }
    dcPole_ = static_cast<float>(1.0 - 2.0 * dsp::kPiTo15Digits * kDcBlockHz / rate);
    // NaN differs from every value: the first frame computes every derived coefficient.
    shiftSeen_ = toneSeen_ = sizeSeen_ = NAN;
    keepDryGains();
  }

  void render(const float* const* in, float* const* out, int frames) noexcept override {
    const float rate = static_cast<float>(info().sampleRate);
    float* dryGains = dryGainsOut();
    for (int i = 0; i < frames; ++i) {
      // Every parameter steps once per frame, and derived values are recomputed when the value
      // moved, so the output does not depend on where blocks begin.
      const float shift = parameter(kShift).next();
      const float feedback = parameter(kFeedback).next();
      const float mix = parameter(kMix).next();
      dryGains[i] = 1.0f - mix;
      const float tone = parameter(kTone).next();
      const float size = parameter(kSize).next();
      if (shift != shiftSeen_) {
        shiftSeen_ = shift;
        ratio_ = std::exp2(shift / 12.0f);
      }
      if (tone != toneSeen_) {
        toneSeen_ = tone;
        toneCoef_ = 1.0f - std::exp(-dsp::kTwoPiF * tone / rate);
      }
      if (size != sizeSeen_) {
        sizeSeen_ = size;
        for (HaloChannel& channel : channels_) channel.diffuser.setSize(size);
      }
      for (int c = 0; c < 2; ++c) {
        const float dry = in[c][i];
        const float wet = channels_[c].process(dry, ratio_, feedback, toneCoef_, dcPole_);
        // mix = 0 is exactly the dry signal, bit for bit, whatever the loop holds.
        out[c][i] = mix == 0.0f ? dry : dry * (1.0f - mix) + wet * mix;
      }
    }
  }

 private:
  HaloChannel channels_[2];
  float dcPole_ = 0.999f;
  float ratio_ = 2.0f, toneCoef_ = 0.5f;
  float shiftSeen_ = NAN, toneSeen_ = NAN, sizeSeen_ = NAN;
};

}  // namespace

const NodeType kShimmerType{
    .name = "shimmer",
    .description = "Halo: octave-up pitch shift in a diffuse feedback loop",
    .inputs = kInputs,
    .outputs = kOutputs,
    .parameters = kParameters,
    .create = []() -> std::unique_ptr<Node> { return std::make_unique<ShimmerNode>(); },
};

}  // namespace reverie
