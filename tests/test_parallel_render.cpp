// Parallel rendering: the same samples, bit for bit, from one thread or several, in any block
// size, for the three arcs and a MIDI file played by several presets.
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "arc/arc_setup.hpp"
#include "midi/midi_schedule.hpp"
#include "midi/smf_reader.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "reverie/preset.hpp"
#include "support/command.hpp"
#include "support/engine_render.hpp"
#include "support/smf_writer.hpp"

namespace {

using reverie::Engine;
using reverie::EngineConfig;
using reverie::test::Stereo;

constexpr double kRate = 48000.0;

// Under a sanitizer a render costs ten times as much: a shorter stretch of each arc.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr double kArcSeconds = 12.0;
#else
constexpr double kArcSeconds = 30.0;
#endif

std::string presetPath(const std::string& relative) {
  return std::string(REVERIE_SOURCE_DIR) + "/presets/" + relative;
}

/// `offline`: the workers wait for blocks as in `render` (spinning, never yielding).
EngineConfig configWith(int threads, std::uint64_t seed, bool offline = false) {
  EngineConfig config;
  config.sampleRate = kRate;
  config.maxBlockFrames = 1024;
  config.seed = seed;
  config.threads = threads;
  config.offline = offline;
  return config;
}

/// Block sizes that change from block to block: 1, 37, 64, 1000, 1024, ...
std::function<int()> irregularBlocks() {
  static const int sizes[] = {64, 1, 1000, 37, 1024, 256, 999, 128};
  auto index = std::make_shared<std::size_t>(0);
  return [index] { return sizes[(*index)++ % std::size(sizes)]; };
}

Stereo renderArc(const std::string& name, int threads, const std::function<int()>& blocks,
                 bool offline = false) {
  const reverie::Arc arc = reverie::loadArc(presetPath("arcs/" + name + ".toml"));
  Engine engine(configWith(threads, 3, offline));
  reverie::arc::buildArc(arc, engine.graph());
  engine.commit();
  return reverie::test::renderBlocks(engine, {}, static_cast<std::size_t>(kArcSeconds * kRate),
                                     blocks);
}

void requireSame(const Stereo& a, const Stereo& b, const char* how = "") {
  REQUIRE(a.left.size() == b.left.size());
  std::size_t differing = 0, first = a.left.size();
  for (std::size_t i = 0; i < a.left.size(); ++i) {
    const bool differs = a.left[i] != b.left[i] || a.right[i] != b.right[i];
    differing += (a.left[i] != b.left[i]) + (a.right[i] != b.right[i]);
    if (differs && first == a.left.size()) first = i;
  }
  const std::string rendered = how;
  CAPTURE(rendered);
  CAPTURE(first);  // the first frame that differs (the size when none does)
  CHECK(differing == 0);
}

}  // namespace

TEST_CASE("the arcs render bit-identically on 1, 2 and 4 threads, in any block size") {
  for (const char* name : {"the-performance", "clockwork", "second-chance"}) {
    const std::string arcName = name;
    CAPTURE(arcName);
    const Stereo one = renderArc(name, 1, [] { return 1024; });
    double energy = 0.0;
    for (float x : one.left) energy += static_cast<double>(x) * x;
    REQUIRE(energy > 1.0);  // the stretch compared is not silence
    const std::function<int()> wholeBlocks = [] { return 1024; };
    requireSame(one, renderArc(name, 2, wholeBlocks, /*offline=*/true), "2 threads offline");
    requireSame(one, renderArc(name, 2, irregularBlocks()), "2 threads, irregular blocks");
    requireSame(one, renderArc(name, 4, [] { return 64; }), "4 threads, 64-frame blocks");
    MESSAGE(std::string(name), ": ", one.left.size(), " frames the same on 1, 2 and 4 threads");
  }
}

TEST_CASE("a MIDI file through six presets renders bit-identically on 1 and 2 threads") {
  // Six channels, each its own preset (so six independent sections), a chord each.
  using reverie::test::TrackWriter;
  TrackWriter track;
  track.tempo(0, 500000);
  for (int channel = 0; channel < 6; ++channel)
    for (int k : {57, 61, 64}) track.event(0, {0x90 | channel, k + 2 * channel, 80 + 5 * channel});
  for (int channel = 0; channel < 6; ++channel)
    for (int k : {57, 61, 64})
      track.event(channel == 0 ? 3840 : 0, {0x80 | channel, k + 2 * channel, 0});
  track.end(960);
  reverie::test::ScratchFolder folder;
  const auto path = folder / "six.mid";
  {
    const reverie::test::Bytes bytes = reverie::test::smfFile(0, 480, {track});
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  const reverie::midi::MidiFile file = reverie::midi::loadMidiFile(path);
  std::vector<reverie::Patch> patches;
  for (const char* preset : {"instruments/glass-harmonica", "orchestra/strings", "orchestra/brass",
                             "orchestra/choir", "instruments/singing-bowl", "orchestra/oboe"})
    patches.push_back(reverie::loadPatch(presetPath(std::string(preset) + ".toml")));
  auto render = [&](int threads, const std::function<int()>& blocks, bool offline = false) {
    reverie::midi::MidiRenderSetup setup;
    setup.defaultPatch = &patches[0];
    for (int channel = 2; channel <= 6; ++channel)
      setup.channelPatches[channel] = &patches[static_cast<std::size_t>(channel - 1)];
    Engine engine(configWith(threads, 5, offline));
    auto events = reverie::midi::scheduleFile(file, setup, engine).events;
    return reverie::test::renderBlocks(engine, std::move(events),
                                       static_cast<std::size_t>(10.0 * kRate), blocks);
  };
  const Stereo one = render(1, [] { return 1024; });
  const std::function<int()> wholeBlocks = [] { return 1024; };
  requireSame(one, render(2, wholeBlocks, /*offline=*/true));
  requireSame(one, render(2, irregularBlocks()));
  requireSame(one, render(3, [] { return 100; }));
}

TEST_CASE("threads outside 1..64 are refused") {
  CHECK_THROWS_AS(Engine(configWith(0, 1)), std::invalid_argument);
  CHECK_THROWS_AS(Engine(configWith(65, 1)), std::invalid_argument);
}
