// Builds a small graph in code, plays a few notes on it offline and writes a WAV file.
//   example_build_graph [out.wav]
#include <cstdio>
#include <vector>

#include "reverie/engine.hpp"
#include "reverie/offline_clock.hpp"
#include "reverie/sound_file.hpp"

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "build_graph.wav";
  constexpr double kRate = 48000.0;
  reverie::Engine engine({kRate, 512, /*seed=*/42});

  // A synth through an echo into the output.
  reverie::Graph& graph = engine.graph();
  const reverie::NodeId synth = graph.add("synth", "synth");
  graph.setParameter(synth, "waveform", 3.0f);  // triangle
  graph.setParameter(synth, "release", 1.5f);
  graph.add("echo", "echo");
  graph.add("output", "out");
  graph.connect("synth.left", "echo.left");
  graph.connect("synth.right", "echo.right");
  graph.connect("echo.left", "out.left");
  graph.connect("echo.right", "out.right");
  engine.commit();

  // An arpeggio: each note at an exact frame.
  std::vector<reverie::ScheduledEvent> score;
  const int keys[] = {57, 60, 64, 69, 72, 76};
  for (int i = 0; i < 6; ++i) {
    const auto at = static_cast<std::uint64_t>(i * 0.25 * kRate);
    const auto key = static_cast<std::uint16_t>(keys[i]);
    score.push_back({at, synth, {0, reverie::EventType::kNoteOn, 0, key, 0.8f}});
    score.push_back({at + 9000, synth, {0, reverie::EventType::kNoteOff, 0, key, 0.0f}});
  }

  reverie::OfflineClock clock(engine, score);
  reverie::SoundFileWriter writer(path, kRate, 2, reverie::SampleFormat::kPcm24);
  std::vector<float> interleaved(2 * 512);
  for (int block = 0; block < static_cast<int>(4.0 * kRate / 512); ++block) {
    clock.renderInterleaved(interleaved.data(), 512);
    writer.write(interleaved.data(), 512);
  }
  writer.commit();
  std::printf("wrote %s\n", path);
  return 0;
}
