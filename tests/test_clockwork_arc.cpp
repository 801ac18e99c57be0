// The clockwork arc is seed 003's: it plays on a patch with the clockwork violin as its soloist,
// and the gears can be heard ticking in the workshop.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "arc/arc_setup.hpp"
#include "arc/composer.hpp"
#include "dsp/random.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "support/amplitude_modulation.hpp"
#include "support/engine_render.hpp"
#include "support/octave_band.hpp"

namespace reverie {
namespace {

constexpr double kRate = 48000.0;

const Arc& clockwork() {
  static const Arc arc = loadArc(std::string(REVERIE_SOURCE_DIR) + "/presets/arcs/clockwork.toml");
  return arc;
}

std::size_t sceneIndex(const Arc& arc, const std::string& name) {
  for (std::size_t s = 0; s < arc.scenes.size(); ++s)
    if (arc.scenes[s].name == name) return s;
  FAIL("no scene " << name);
  return 0;
}

class CountingSink final : public EventSink {
 public:
  std::uint64_t blockStart = 0;
  std::vector<std::pair<std::uint64_t, NodeId>> noteOns;
  bool emit(NodeId node, const Event& event) noexcept override {
    if (event.type == EventType::kNoteOn) noteOns.push_back({blockStart + event.frame, node});
    return true;
  }
};

}  // namespace

TEST_CASE("clockwork: the arc plays on the clockwork workshop, the clockwork violin its soloist") {
  const Arc& arc = clockwork();
  CHECK(arc.patchName == "clockwork-workshop");
  CHECK(arc.clock == "gears");
  Graph graph;
  const arc::ArcNodes nodes = arc::buildArc(arc, graph);
  REQUIRE(nodes.ids.count("violin") == 1);
  REQUIRE(nodes.ids.count("gears") == 1);
  // The violin bows: its crystal is excited by the bow, as in
  // presets/instruments/clockwork-violin.toml.
  const Node& violin = graph.node(nodes.ids.at("violin"));
  const int exciter = findParameter(violin.type().parameters, "exciter");
  REQUIRE(exciter >= 0);
  CHECK(violin.parameterTarget(exciter) == doctest::Approx(1.0f));

  Node& composer = graph.node(nodes.composer);
  composer.prepare(
      {kRate, 1024, dsp::mixSeed(1 ^ dsp::hashName(graph.entry(nodes.composer).name))});
  const Timeline timeline(arc, kRate);
  CountingSink sink;
  for (std::uint64_t done = 0; done < timeline.totalFrames(); done += 1024) {
    sink.blockStart = done;
    composer.generate(1024, sink);
  }
  std::map<std::string, std::map<std::string, int>> notes;  // scene -> node -> note-ons
  for (const auto& [frame, node] : sink.noteOns)
    ++notes[arc.scenes[timeline.sceneAt(frame)].name][graph.entry(node).name];
  for (const char* scene : {"the-machine-answers", "wild-and-free"}) {
    MESSAGE(std::string(scene) << ": the violin plays " << notes[scene]["violin"]
                               << " notes, the struck crystal " << notes[scene]["crystal"]);
    CHECK(notes[scene]["violin"] >= 20);
  }
  MESSAGE("workshop: the gears tick " << notes["workshop"]["gears"] << " times in "
                                      << arc.scenes[0].bars << " bars");
  // Seven eighths a bar, one tick each.
  CHECK(notes["workshop"]["gears"] == arc.scenes[sceneIndex(arc, "workshop")].bars * 7);
}

TEST_CASE("clockwork: the gears tick audibly in the workshop, on every eighth note") {
  const Arc& arc = clockwork();
  const Timeline timeline(arc, kRate);
  const std::size_t workshop = sceneIndex(arc, "workshop");
  Engine engine({kRate, 1024, 1});
  arc::buildArc(arc, engine.graph());
  engine.commit();
  const auto latency = static_cast<std::size_t>(engine.latencyFrames());
  const auto end = static_cast<std::size_t>(timeline.spans()[workshop].endFrame);
  const test::Stereo out = test::renderBlocks(engine, {}, end + latency, [] { return 1024; });
  // After a second of settling, the mono mix through the octave band around 4 kHz, where the
  // gears' bright bar modes ring and the murmur and heartbeat are weak.
  const auto begin = static_cast<std::size_t>(timeline.spans()[workshop].startFrame) +
                     static_cast<std::size_t>(kRate);
  std::vector<float> mono;
  for (std::size_t i = begin; i < end; ++i)
    mono.push_back(0.5f * (out.left[i + latency] + out.right[i + latency]));
  const std::vector<float> band = test::octaveBand(mono, kRate, 4000.0);
  const test::AmplitudeModulation beat = test::strongestAmplitudeModulation(band, kRate, 1.5, 12.0);
  const double sixteenth =
      timeline.spans()[workshop].barSeconds / (arc.beatsPerBar * 16.0 / arc.beatUnit);
  const double tickHz = 1.0 / (2.0 * sixteenth);
  MESSAGE("workshop, 4 kHz octave band: strongest modulation "
          << beat.rateHz << " Hz, depth " << beat.depth << "; the eighth notes fall at " << tickHz
          << " Hz");
  CHECK(beat.rateHz == doctest::Approx(tickHz).epsilon(0.02));
  CHECK(beat.depth > 0.3);
}

}  // namespace reverie
