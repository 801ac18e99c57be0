// "shimmer": the crystal's halo, an octave-up pitch shifter inside a diffuse feedback loop.
#include <algorithm>
#include <array>
#include <cmath>

#include "dsp/allpass_diffuser.hpp"
#include "dsp/dry_wet.hpp"
#include "dsp/math_constants.hpp"
#include "dsp/pitch_shifter.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

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

  /// The most frames wet() and enter() take at once: what no read in the loop reaches back to.
  int framesAtOnce() const {
    return std::min(diffuser.shortestDelay(), static_cast<int>(loopDelayFrames) - 2);
  }

  // The loop runs `frames` frames (at most framesAtOnce()) in two halves: wet() gives their
  // wet samples, then enter() takes each frame's input and its wet sample, frame by frame. The
  // samples are those of running the whole loop frame by frame: each frame reads only what was
  // written before these frames (the shortest delay in the loop is longer), so the heads, each
  // diffuser stage and the saturator run as passes over the frames, and only the filters and
  // the writes go frame by frame.
  void wet(float* out, int frames, const float* ratio) {
    for (int i = 0; i < frames; ++i) out[i] = shifter.tap(i, ratio[i], loopDelayFrames);
    diffuser.process(out, frames);
    for (int i = 0; i < frames; ++i) out[i] = softClip(out[i]);
  }
  void enter(float dry, float wet, float ratio, float feedback, float toneCoef, float dcPole) {
    // A NaN or Inf from upstream would live in the loop forever; the dry path still carries it.
    const float x = std::fabs(dry) <= 1e6f ? dry : 0.0f;
    shifter.write(x + feedback * feedbackSample, ratio);
    // Gentle high-cut: each pass a little darker, so the rising octaves fade before Nyquist.
    toneState += (wet - toneState) * toneCoef;
    // DC blocker: the saturator and the shifter's windows must not build an offset in the loop.
    dcOutput = toneState - dcInput + dcPole * dcOutput;
    dcInput = toneState;
    feedbackSample = dcOutput;
  }
};

// Frames the halo's passes take at once, at most (fewer where a delay in the loop is shorter).
constexpr int kPassFrames = 64;

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
    for (int start = 0; start < frames;) {
      const int count = std::min(frames - start, kPassFrames);
      stepParameters(count, dryGainsOut() + start);
      // Runs of frames at one diffusion size (a new size moves the diffusers' delays at its own
      // frame), each no longer than the loop's shortest delay.
      for (int i = 0; i < count;) {
        if (size_[i] != sizeSeen_) {
          sizeSeen_ = size_[i];
          for (HaloChannel& channel : channels_) channel.diffuser.setSize(sizeSeen_);
        }
        const int most = std::min(channels_[0].framesAtOnce(), channels_[1].framesAtOnce());
        int end = i + 1;
        while (end < count && end - i < most && size_[end] == sizeSeen_) ++end;
        renderRun(in, out, start, i, end);
        i = end;
      }
      start += count;
    }
  }

 private:
  // Every parameter steps once per frame, and derived values are recomputed when the value
  // moved, so the output does not depend on where blocks begin.
  void stepParameters(int count, float* dryGains) noexcept {
    const float rate = static_cast<float>(info().sampleRate);
    for (int i = 0; i < count; ++i) {
      const float shift = parameter(kShift).next();
      feedback_[i] = parameter(kFeedback).next();
      mix_[i] = parameter(kMix).next();
      dryGains[i] = 1.0f - mix_[i];
      const float tone = parameter(kTone).next();
      size_[i] = parameter(kSize).next();
      if (shift != shiftSeen_) {
        shiftSeen_ = shift;
        ratio_ = std::exp2(shift / 12.0f);
      }
      if (tone != toneSeen_) {
        toneSeen_ = tone;
        toneCoef_ = 1.0f - std::exp(-dsp::kTwoPiF * tone / rate);
      }
      ratioAt_[i] = ratio_;
      toneCoefAt_[i] = toneCoef_;
    }
  }

  // Frames first..end of the pass starting at `start`: both sides' loops, then the mix.
  void renderRun(const float* const* in, float* const* out, int start, int first,
                 int end) noexcept {
    for (int c = 0; c < 2; ++c) channels_[c].wet(wet_[c], end - first, ratioAt_ + first);
    // The two sides' frame-by-frame halves side by side: their chains overlap.
    for (int k = first; k < end; ++k)
      for (int c = 0; c < 2; ++c)
        channels_[c].enter(in[c][start + k], wet_[c][k - first], ratioAt_[k], feedback_[k],
                           toneCoefAt_[k], dcPole_);
    for (int c = 0; c < 2; ++c) {
      for (int k = first; k < end; ++k) {
        out[c][start + k] = dsp::blendDryWet(in[c][start + k], wet_[c][k - first], mix_[k]);
      }
    }
  }

  HaloChannel channels_[2];
  float dcPole_ = 0.999f;
  float ratio_ = 2.0f, toneCoef_ = 0.5f;
  float shiftSeen_ = NAN, toneSeen_ = NAN, sizeSeen_ = NAN;
  // One pass's frames: the parameters frame by frame, and a channel's wet samples.
  float ratioAt_[kPassFrames] = {}, toneCoefAt_[kPassFrames] = {}, feedback_[kPassFrames] = {};
  float mix_[kPassFrames] = {}, size_[kPassFrames] = {}, wet_[2][kPassFrames] = {};
};

}  // namespace

const NodeType kShimmerType{
    .name = "shimmer",
    .description = "Halo: octave-up pitch shift in a diffuse feedback loop",
    .inputs = kStereoPorts,
    .outputs = kStereoPorts,
    .parameters = kParameters,
    .create = createNode<ShimmerNode>,
};

}  // namespace reverie
