// reverie::Instrument, the embedding API: it renders what the offline path renders, places MIDI
// on the frame it names, plays what another thread posts, and its meters say what came out.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "arc/arc_setup.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "reverie/errors.hpp"
#include "reverie/instrument.hpp"
#include "reverie/preset.hpp"
#include "support/engine_render.hpp"
#include "support/sample_statistics.hpp"
#include "support/spectrum_peaks.hpp"

using namespace reverie;

namespace {

constexpr double kRate = 48000.0;

std::string preset(const std::string& relative) {
  return std::string(REVERIE_SOURCE_DIR) + "/presets/" + relative + ".toml";
}

// Renders `frames` frames in blocks of the sizes `sizes` cycles through.
test::Stereo renderInstrument(
    Instrument& instrument, std::size_t frames, const std::vector<int>& sizes,
    const std::function<std::vector<MidiEvent>(std::size_t)>& events = {}) {
  test::Stereo out{std::vector<float>(frames), std::vector<float>(frames)};
  std::size_t done = 0;
  for (std::size_t b = 0; done < frames; ++b) {
    const int block = static_cast<int>(
        std::min<std::size_t>(static_cast<std::size_t>(sizes[b % sizes.size()]), frames - done));
    float* channels[] = {out.left.data() + done, out.right.data() + done};
    const std::vector<MidiEvent> now = events ? events(done) : std::vector<MidiEvent>{};
    instrument.process(channels, block, now);
    done += static_cast<std::size_t>(block);
  }
  return out;
}

}  // namespace

TEST_CASE("api: an arc played by an Instrument is the offline render, bit for bit, in any block") {
  constexpr std::uint64_t kSeed = 7;
  const auto frames = static_cast<std::size_t>(12.0 * kRate);
  Instrument instrument(preset("arcs/clockwork"), {kRate, 512, kSeed});
  CHECK(instrument.name() == "clockwork");
  const test::Stereo live = renderInstrument(instrument, frames, {512, 17, 300, 1, 64, 511});

  Engine engine({kRate, 1024, kSeed});
  arc::buildArc(loadArc(preset("arcs/clockwork")), engine.graph());
  engine.commit();
  const test::Stereo offline = test::renderBlocks(engine, {}, frames, [] { return 1024; });
  std::size_t differing = 0;
  for (std::size_t i = 0; i < frames; ++i)
    differing += (live.left[i] != offline.left[i]) + (live.right[i] != offline.right[i]);
  const double level = test::rmsDb(live.left, 0, frames);
  MESSAGE("12 s of clockwork (seed 7): " << differing << " samples differ; " << level << " dB RMS");
  CHECK(level > -60.0);
  CHECK(differing == 0);
  const InstrumentMeters meters = instrument.meters();
  CHECK(meters.framesRendered == frames);
  CHECK(meters.maxPeak[0] == doctest::Approx(test::peakAbs(live.left)));
  CHECK(meters.maxPeak[1] == doctest::Approx(test::peakAbs(live.right)));
}

TEST_CASE("api: a note sent at frame offset f is heard f frames into its block, in tune") {
  // The same note sent at frame 0 of block 3 and at frame 300 of it: the second starts exactly
  // 300 frames later. (Not the same samples shifted: the node's modulation runs from frame 0.)
  const auto frames = static_cast<std::size_t>(1.5 * kRate);
  auto render = [&](std::uint32_t offset) {
    Instrument instrument(preset("instruments/glass-harmonica"), {kRate, 512, 1});
    return renderInstrument(instrument, frames, {512}, [offset](std::size_t done) {
      return done == 3 * 512 ? std::vector<MidiEvent>{MidiEvent::noteOn(offset, 0, 69, 100)}
                             : std::vector<MidiEvent>{};
    });
  };
  auto onset = [](const std::vector<float>& x) {
    std::size_t i = 0;
    while (i < x.size() && x[i] == 0.0f) ++i;
    return i;
  };
  const test::Stereo early = render(0), late = render(300);
  const std::size_t earlyOnset = onset(early.left), lateOnset = onset(late.left);
  const double hz = test::fundamentalHz({late.left.data() + 24000, 24000}, kRate, 440.0);
  MESSAGE("first sound at frame " << earlyOnset << " for offset 0, " << lateOnset
                                  << " for offset 300; A4 at " << hz << " Hz");
  CHECK(earlyOnset >= 3 * 512);
  CHECK(earlyOnset < 3 * 512 + 200);  // the master limiter's look-ahead, no more
  CHECK(lateOnset - earlyOnset == 300);
  CHECK(test::peakAbs(late.left) > 0.01f);
  CHECK(std::fabs(test::centsBetween(hz, 440.0)) < 10.0);
}

TEST_CASE("api: events posted from another thread play; a swap changes the preset") {
  Instrument instrument(preset("instruments/glass-harmonica"), {kRate, 256, 1});
  std::thread poster([&] {
    CHECK(instrument.post(MidiEvent::noteOn(0, 0, 60, 100)));
    CHECK(instrument.post(MidiEvent::pitchBend(0, 0, 0.0f)));
  });
  poster.join();
  const test::Stereo first = renderInstrument(instrument, 48000, {256});
  const double c4 = test::fundamentalHz({first.left.data() + 12000, 24000}, kRate, 261.6256);
  CHECK(instrument.meters().notesPlayed == 1);

  std::thread control([&] { instrument.load(preset("orchestra/oboe")); });
  control.join();
  CHECK(instrument.name() == "oboe");
  CHECK(instrument.post(MidiEvent::noteOn(0, 0, 67, 100)));
  const test::Stereo second = renderInstrument(instrument, 48000, {256});
  const double g4 = test::fundamentalHz({second.left.data() + 12000, 24000}, kRate, 391.9954);
  instrument.update();
  const InstrumentMeters meters = instrument.meters();
  MESSAGE("C4 " << c4 << " Hz, then after the swap G4 " << g4 << " Hz; swaps " << meters.swaps
                << ", voices " << meters.voices);
  CHECK(std::fabs(test::centsBetween(c4, 261.6256)) < 10.0);
  CHECK(std::fabs(test::centsBetween(g4, 391.9954)) < 10.0);
  CHECK(meters.swaps == 2);
  CHECK(meters.voices >= 1);
  CHECK(meters.droppedEvents == 0);
  CHECK_THROWS_AS(instrument.load("no-such-preset"), InputError);
  CHECK(instrument.name() == "oboe");  // a failed load keeps what played

  // A program change, sent on the audio thread, is acted on by the control thread's update():
  // program 1 is the first preset of `reverie presets` that is not an arc. The source tree's
  // presets are put on the search path (ctest runs the test from a folder without them).
  const char* previous = std::getenv("REVERIE_PRESET_PATH");
  const std::string restore = previous ? previous : "";
  ::setenv("REVERIE_PRESET_PATH", (std::string(REVERIE_SOURCE_DIR) + "/presets").c_str(), 1);
  const MidiEvent program[] = {MidiEvent::programChange(10, 0, 0)};
  float left[64], right[64];
  float* channels[] = {left, right};
  instrument.process(channels, 64, program);
  const std::string said = instrument.update();
  const std::vector<PresetInfo> presets = listPresets();
  const auto firstInstrument = std::find_if(presets.begin(), presets.end(),
                                            [](const PresetInfo& p) { return p.kind != "arcs"; });
  REQUIRE(firstInstrument != presets.end());
  MESSAGE(said);
  CHECK(instrument.name() == firstInstrument->name);
  CHECK(said == "program 1: " + firstInstrument->name);
  if (previous)
    ::setenv("REVERIE_PRESET_PATH", restore.c_str(), 1);
  else
    ::unsetenv("REVERIE_PRESET_PATH");
}
