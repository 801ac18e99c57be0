// "oscillator": a free-running band-limited oscillator.
#include "dsp/polyblep_oscillator.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/parameter_rows.hpp"

namespace reverie {
namespace {

// The waveform row's choices are dsp::Waveform's values (the synth reads them the same way).
static_assert(rows::kWaveforms[static_cast<int>(dsp::Waveform::kSine)] == "sine" &&
              rows::kWaveforms[static_cast<int>(dsp::Waveform::kSaw)] == "saw" &&
              rows::kWaveforms[static_cast<int>(dsp::Waveform::kSquare)] == "square" &&
              rows::kWaveforms[static_cast<int>(dsp::Waveform::kTriangle)] == "triangle");
enum { kFrequency, kWaveform, kDetune, kLevel };
constexpr ParameterDescriptor kParameters[] = {
    {"frequency", "Frequency", "Hz", 1.0f, 20000.0f, 440.0f, 0.02f},
    rows::waveform(0.0f),
    {"detune", "Detune", "cents", -1200.0f, 1200.0f, 0.0f, 0.02f},
    rows::level(-12.0f),
};
static_assert(indicesMatch(
    kParameters,
    {{kFrequency, "frequency"}, {kWaveform, "waveform"}, {kDetune, "detune"}, {kLevel, "level"}}));

class OscillatorNode final : public Node {
 public:
  OscillatorNode() : Node(kOscillatorType) {}

 protected:
  void render(const float* const*, float* const* out, int frames) noexcept override {
    const auto waveform = static_cast<dsp::Waveform>(parameter(kWaveform).current());
    for (int i = 0; i < frames; ++i) {
      if (dirty_ || parameter(kFrequency).isRamping() || parameter(kDetune).isRamping() ||
          parameter(kLevel).isRamping()) {
        const float hz =
            parameter(kFrequency).next() * std::exp2(parameter(kDetune).next() / 1200.0f);
        cyclesPerSample_ = static_cast<float>(hz / info().sampleRate);
        gain_ = decibelsToGain(parameter(kLevel).next());
        dirty_ = false;
      }
      out[0][i] = oscillator_.next(waveform, cyclesPerSample_) * gain_;
    }
  }
  void onParameterChanged(int) noexcept override { dirty_ = true; }

 private:
  dsp::PolyBlepOscillator oscillator_;
  float cyclesPerSample_ = 0.0f;
  float gain_ = 0.0f;
  bool dirty_ = true;
};

}  // namespace

const NodeType kOscillatorType{
    "oscillator", "Free-running band-limited oscillator (sine, saw, square, triangle)",
    {},           kMonoOutPort,
    kParameters,  false,
    false,        createNode<OscillatorNode>};

}  // namespace reverie
