// The composer: scenes on bar lines in frames, sample-accurate events, determinism, harmony.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "arc/arc_setup.hpp"
#include "arc/composer.hpp"
#include "arc/harmony.hpp"
#include "nodes/builtin_nodes.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "support/engine_render.hpp"

namespace reverie {
namespace {

constexpr const char* kKeysPatch = R"(
format_version = 1
[[node]]
name = "keys"
type = "synth"
params = { waveform = "saw", attack = 0.0, decay = 0.001, sustain = 1.0, release = 0.001, cutoff = 20000.0 }
[[node]]
name = "lead"
type = "synth"
params = { waveform = "saw", attack = 0.0, release = 0.001 }
[[node]]
name = "out"
type = "output"
[[connect]]
from = "keys.left"
to = "out.left"
[[connect]]
from = "keys.right"
to = "out.right"
[[connect]]
from = "lead.left"
to = "out.left"
[[connect]]
from = "lead.right"
to = "out.right"
)";

Scene scene(std::string name, int bars, double tempo, std::vector<Texture> textures,
            float tension = 0.3f) {
  Scene s;
  s.name = std::move(name);
  s.bars = bars;
  s.tempo = tempo;
  s.tension = {tension, tension, CurveShape::kLinear};
  s.dynamics = {0.6f, 0.6f, CurveShape::kLinear};
  s.density = {0.5f, 0.5f, CurveShape::kLinear};
  s.brightness = {0.5f, 0.5f, CurveShape::kLinear};
  s.sections = {"keys"};
  s.textures = std::move(textures);
  return s;
}

Arc keysArc(double tempo, int beatsPerBar, int beatUnit) {
  Arc arc;
  arc.name = "test";
  arc.patch = parsePatch(kKeysPatch, "keys.toml");
  arc.tempo = tempo;
  arc.beatsPerBar = beatsPerBar;
  arc.beatUnit = beatUnit;
  arc.tailSeconds = 1.0;
  arc.scenes = {scene("quiet", 3, tempo, {Texture::kSilence}),
                scene("one", 2, tempo, {Texture::kChorale}),
                scene("two", 3, tempo * 1.25, {Texture::kChorale}, 0.8f),
                scene("three", 2, tempo, {Texture::kChorale})};
  return arc;
}

struct Recorded {
  std::uint64_t frame;
  NodeId node;
  Event event;
};

class RecordingSink final : public EventSink {
 public:
  std::uint64_t blockStart = 0;
  std::vector<Recorded> events;
  bool emit(NodeId node, const Event& event) noexcept override {
    events.push_back({blockStart + event.frame, node, event});
    return true;
  }
};

/// Runs a composer scripted with `arc` in blocks of `block` frames and records what it writes.
std::vector<Recorded> compose(const Arc& arc, double rate, int block, std::uint64_t seed = 7) {
  Graph graph;
  const arc::ArcNodes nodes = arc::buildArc(arc, graph);
  Node& composer = graph.node(nodes.composer);
  composer.prepare({rate, 4096, seed});
  RecordingSink sink;
  const Timeline timeline(arc, rate);
  const std::uint64_t total = timeline.totalFrames() + static_cast<std::uint64_t>(rate);
  for (std::uint64_t done = 0; done < total; done += static_cast<std::uint64_t>(block)) {
    sink.blockStart = done;
    composer.generate(block, sink);
  }
  return sink.events;
}

/// The frame of bar `bar` counted from the start of the piece, from first principles.
std::uint64_t expectedBarFrame(const Arc& arc, std::size_t sceneIndex, double rate) {
  double seconds = 0.0;
  for (std::size_t i = 0; i < sceneIndex; ++i)
    seconds +=
        arc.scenes[i].bars * arc.beatsPerBar * (60.0 / arc.scenes[i].tempo) * (4.0 / arc.beatUnit);
  return static_cast<std::uint64_t>(std::llround(seconds * rate));
}

}  // namespace

TEST_CASE(
    "composer: every scene starts exactly on its bar line, in frames, at several tempi and "
    "meters") {
  struct Case {
    double tempo;
    int beats, unit;
    double rate;
  };
  const Case cases[] = {{60.0, 4, 4, 48000.0},
                        {97.0, 4, 4, 48000.0},
                        {133.3, 7, 8, 44100.0},
                        {171.0, 3, 4, 48000.0},
                        {92.0, 6, 8, 96000.0}};
  for (const Case& c : cases) {
    const Arc arc = keysArc(c.tempo, c.beats, c.unit);
    const Timeline timeline(arc, c.rate);
    const std::vector<Recorded> events = compose(arc, c.rate, 333);
    for (std::size_t s = 1; s < arc.scenes.size(); ++s) {
      const std::uint64_t expected = expectedBarFrame(arc, s, c.rate);
      CHECK(timeline.spans()[s].startFrame == expected);
      if (arc.scenes[s].has(Texture::kSilence)) continue;
      // The scene's first chord: the earliest note-on at or after the scene's start.
      std::uint64_t first = UINT64_MAX;
      for (const Recorded& r : events)
        if (r.event.type == EventType::kNoteOn && r.frame + 2 >= expected && r.frame < first)
          first = r.frame;
      MESSAGE(c.tempo << " bpm " << c.beats << "/" << c.unit << " at " << c.rate << " Hz, scene '"
                      << arc.scenes[s].name << "': first note at frame " << first
                      << ", bar line at " << expected);
      CHECK(first == expected);
    }
  }
}

TEST_CASE(
    "composer: after a silent scene, the first sound of the next one is at its bar line in the "
    "audio") {
  for (const double tempo : {71.0, 97.0, 140.0}) {
    const Arc arc = keysArc(tempo, 4, 4);
    Engine engine({48000.0, 512, 3});
    arc::buildArc(arc, engine.graph());
    engine.commit();
    const std::uint64_t expected = expectedBarFrame(arc, 1, 48000.0);
    const std::size_t latency = static_cast<std::size_t>(engine.latencyFrames());
    const test::Stereo out =
        test::renderBlocks(engine, {}, expected + latency + 4800, [] { return 301; });
    std::size_t first = 0;
    while (first < out.left.size() && std::abs(out.left[first]) < 1e-6f) ++first;
    const long measured = static_cast<long>(first) - static_cast<long>(latency);
    MESSAGE(tempo << " bpm: first sample at frame " << measured << " of the render, bar line at "
                  << expected);
    // The saw's first sample may be zero-crossing; nothing may sound before the bar line.
    CHECK(measured >= static_cast<long>(expected));
    CHECK(measured <= static_cast<long>(expected) + 1);
  }
}

TEST_CASE(
    "composer: the same seed writes the same events whatever the block size; another seed "
    "differs") {
  const Arc arc = keysArc(97.0, 4, 4);
  const std::vector<Recorded> a = compose(arc, 48000.0, 64, 11);
  const std::vector<Recorded> b = compose(arc, 48000.0, 4096, 11);
  const std::vector<Recorded> c = compose(arc, 48000.0, 777, 12);
  auto same = [](const std::vector<Recorded>& x, const std::vector<Recorded>& y) {
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (x[i].frame != y[i].frame || x[i].node != y[i].node ||
          x[i].event.type != y[i].event.type || x[i].event.index != y[i].event.index ||
          x[i].event.value != y[i].event.value)
        return false;
    return true;
  };
  MESSAGE("events written: " << a.size());
  CHECK(a.size() > 20);
  CHECK(same(a, b));
  CHECK_FALSE(same(a, c));
}

TEST_CASE("composer: every note it starts, it ends") {
  const Arc arc = keysArc(120.0, 4, 4);
  std::map<std::pair<NodeId, int>, int> open;
  int notes = 0;
  for (const Recorded& r : compose(arc, 48000.0, 256)) {
    if (r.event.type == EventType::kNoteOn) {
      CHECK(open[{r.node, r.event.index}] == 0);  // a re-strike is ended first
      ++open[{r.node, r.event.index}];
      ++notes;
    } else if (r.event.type == EventType::kNoteOff) {
      CHECK(open[{r.node, r.event.index}] == 1);
      open[{r.node, r.event.index}] = 0;
    }
  }
  int left = 0;
  for (const auto& [key, count] : open) left += count;
  MESSAGE(notes << " notes started, " << left << " left sounding after the last scene");
  CHECK(notes > 10);
  CHECK(left == 0);
}

TEST_CASE(
    "harmony: chords grow harsher with tension: consonant triads low, clusters and tritones high") {
  dsp::Random random(5);
  arc::ChordChooser chooser;
  chooser.reset(Mode::kMajor);
  auto harshness = [&](float tension) {
    double total = 0.0;
    for (int i = 0; i < 400; ++i) total += arc::harshIntervals(chooser.next(tension, random));
    return total / 400.0;
  };
  const double low = harshness(0.1f), mid = harshness(0.5f), high = harshness(0.75f),
               peak = harshness(1.0f);
  MESSAGE("semitone and tritone intervals per chord at tension 0.1, 0.5, 0.75, 1.0: "
          << low << ", " << mid << ", " << high << ", " << peak);
  CHECK(low < 0.1);  // only the diatonic leading-tone triad holds a tritone
  CHECK(mid < high);
  CHECK(high < peak);
  CHECK(peak > 1.5);
}

TEST_CASE("harmony: a major scale's degrees, and voicings inside their range with the bass below") {
  CHECK(arc::degreeSemitones(Mode::kMajor, 0) == 0);
  CHECK(arc::degreeSemitones(Mode::kMajor, 4) == 7);
  CHECK(arc::degreeSemitones(Mode::kMajor, 7) == 12);
  CHECK(arc::degreeSemitones(Mode::kMajor, -1) == -1);
  CHECK(arc::degreeSemitones(Mode::kMinor, 2) == 3);
  arc::ChordChooser chooser;
  chooser.reset(Mode::kMajor);
  std::array<std::uint8_t, 16> keys{};
  const int count = arc::voiceChord(chooser.dominant(), 2, 36, 55, 76, keys);  // A7 in D major
  REQUIRE(count >= 5);
  CHECK(keys[0] % 12 == 9);  // A in the bass
  CHECK(keys[0] >= 36);
  CHECK(keys[0] < 48);
  std::set<int> classes;
  for (int i = 1; i < count; ++i) {
    CHECK(keys[static_cast<std::size_t>(i)] >= 55);
    CHECK(keys[static_cast<std::size_t>(i)] <= 76);
    classes.insert(keys[static_cast<std::size_t>(i)] % 12);
  }
  CHECK(classes == std::set<int>{9, 1, 4, 7});  // A C# E G
}

}  // namespace reverie
