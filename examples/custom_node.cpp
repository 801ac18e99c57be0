// Defines a node type of its own (a ring modulator), registers it, and renders it.
//   example_custom_node [out.wav]
#include <cmath>
#include <cstdio>
#include <vector>

#include "reverie/engine.hpp"
#include "reverie/node_registry.hpp"
#include "reverie/offline_clock.hpp"
#include "reverie/sound_file.hpp"

namespace {

// The descriptor table is the single source of truth: presets, `reverie nodes` and
// automation all read it.
constexpr std::string_view kInputs[] = {"in"};
constexpr std::string_view kOutputs[] = {"out"};
constexpr reverie::ParameterDescriptor kParameters[] = {
    {"frequency", "Carrier frequency", "Hz", 0.1f, 5000.0f, 30.0f, 0.05f},
};

class RingModulator final : public reverie::Node {
 public:
  static const reverie::NodeType type;
  RingModulator() : Node(type) {}

 protected:
  // Audio thread: no allocation, no locks. Parameters ramp per sample via next().
  void render(const float* const* in, float* const* out, int frames) noexcept override {
    const double inverseRate = 1.0 / info().sampleRate;
    for (int i = 0; i < frames; ++i) {
      phase_ += parameter(0).next() * inverseRate;
      phase_ -= std::floor(phase_);
      out[0][i] = in[0][i] * static_cast<float>(std::sin(6.283185307179586 * phase_));
    }
  }

 private:
  double phase_ = 0.0;
};

const reverie::NodeType RingModulator::type{"ring",
                                            "Ring modulator (an example of a program's own node)",
                                            kInputs,
                                            kOutputs,
                                            kParameters,
                                            false,
                                            false,
                                            []() -> std::unique_ptr<reverie::Node> { return std::make_unique<RingModulator>(); }};

}  // namespace

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "custom_node.wav";
  reverie::registerNodeType(RingModulator::type);  // now usable by name, in presets too

  constexpr double kRate = 48000.0;
  reverie::Engine engine({kRate, 256, 1});
  reverie::Graph& graph = engine.graph();
  const reverie::NodeId osc = graph.add("oscillator", "osc");
  graph.setParameter(osc, "frequency", 220.0f);
  const reverie::NodeId ring = graph.add("ring", "ring");
  graph.add("output", "out");
  graph.connect("osc.out", "ring.in");
  graph.connect("ring.out", "out.left");
  graph.connect("ring.out", "out.right");
  engine.commit();

  // Sweep the carrier from 30 Hz to 600 Hz over two seconds, sample-accurately.
  std::vector<reverie::ScheduledEvent> sweep;
  for (int step = 0; step <= 20; ++step)
    sweep.push_back(
        {static_cast<std::uint64_t>(step * 0.1 * kRate),
         ring,
         {0, reverie::EventType::kParameter, 0, 0, 30.0f + 28.5f * static_cast<float>(step)}});
  reverie::OfflineClock clock(engine, sweep);
  reverie::SoundFileWriter writer(path, kRate, 2, reverie::SampleFormat::kFloat32);
  std::vector<float> interleaved(2 * 256);
  for (int block = 0; block < static_cast<int>(2.5 * kRate / 256); ++block) {
    clock.renderInterleaved(interleaved.data(), 256);
    writer.write(interleaved.data(), 256);
  }
  writer.commit();
  std::printf("wrote %s\n", path);
  return 0;
}
