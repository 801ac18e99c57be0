// The plugin's automatable controls in a real LV2 host (lilv): the arc's tension and its
// source, the next-scene trigger and the arc on/off, and the macros presets map, automated at a
// block's first frame, played as reverie::Instrument plays them (bit for bit), heard in the
// sound, and saved with the session.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "plugin/lv2_host.hpp"
#include "plugin/phrase.hpp"
#include "reverie/instrument.hpp"
#include "support/command.hpp"
#include "support/onsets.hpp"
#include "support/sample_statistics.hpp"
#include "support/spectral_shape.hpp"

namespace reverie::test {
namespace {

constexpr double kRate = kPluginRate;
constexpr const char* kUri = "urn:reverie:instrument";
constexpr int kBlock = 256;

void useBuildBundle() {
  if (std::getenv("LV2_PATH") == nullptr) setenv("LV2_PATH", REVERIE_PLUGIN_DIR "/lv2", 1);
}

std::string presetFile(const std::string& kind, const std::string& name) {
  return std::string(REVERIE_SOURCE_DIR) + "/presets/" + kind + "/" + name + ".toml";
}

// The plugin with an arc (or a preset of `kind`) in lilv and, beside it, the Instrument with the
// same arc, seed and blocks; `before(block)` automates both at a block's first frame. The plugin's
// output is kept and compared with the Instrument's sample for sample.
class ArcBeside {
 public:
  /// `saved`: a session state restored before activation, as a host reopening it does.
  explicit ArcBeside(const std::string& arc, const std::string& saved = {},
                     const std::string& kind = "arcs")
      : host(kUri, kRate, kBlock), reference(presetFile(kind, arc), {kRate, kBlock, 1, false}) {
    host.applyPreset(arc);
    if (!saved.empty()) host.restoreState(saved);
    host.activate();
  }
  /// Plays `blocks` blocks; with `time`, the host rolls from its frame 0 (said at the first).
  void play(int blocks, const std::function<void(int)>& before = {},
            const HostTime* time = nullptr) {
    std::vector<float> left(kBlock), right(kBlock), refLeft(kBlock), refRight(kBlock);
    float* ref[] = {refLeft.data(), refRight.data()};
    for (int b = 0; b < blocks; ++b) {
      if (before) before(block_);
      const bool say = time != nullptr && block_ == 0;
      if (say)
        reference.setTransport({.external = true,
                                .rolling = true,
                                .beat = 0.0,
                                .beatsPerMinute = time->beatsPerMinute,
                                .beatsPerBar = 4.0,
                                .beatType = 4.0});
      host.run(kBlock, midi, left.data(), right.data(), say ? time : nullptr);
      std::vector<MidiEvent> events;
      for (const BlockMidi& m : midi)
        events.push_back({m.frame, m.bytes[0], m.bytes[1], m.bytes[2]});
      reference.process(ref, kBlock, events);
      midi.clear();
      reference.update();
      scenes.push_back(reference.meters().scene);
      for (int i = 0; i < kBlock; ++i) {
        const auto k = static_cast<std::size_t>(i);
        differing += left[k] != refLeft[k] || right[k] != refRight[k];
      }
      out.insert(out.end(), left.begin(), left.end());
      ++block_;
    }
  }
  // Both sides: the plugin's control port and the Instrument's control.
  void set(const char* symbol, ArcControl control, float value) {
    host.setControl(symbol, value);
    reference.setArcControl(control, value);
  }
  void macro(int index, float value) {
    host.setControl("macro" + std::to_string(index + 1), value);
    reference.setMacro(index, value);
  }

  Lv2Host host;
  Instrument reference;
  std::vector<BlockMidi> midi;  // for the next block (`before` may fill it)
  std::vector<float> out;       // the plugin's left channel
  std::vector<int> scenes;      // the Instrument's scene after each block
  std::uint64_t differing = 0;

 private:
  int block_ = 0;
};

std::size_t onsetsIn(const std::vector<float>& signal, std::size_t from, std::size_t to) {
  const std::vector<double> times = onsetTimes(signal, kRate);
  return static_cast<std::size_t>(std::count_if(times.begin(), times.end(), [&](double t) {
    return t * kRate >= static_cast<double>(from) && t * kRate < static_cast<double>(to);
  }));
}

struct Heard {
  std::vector<float> out;       // the plugin's left channel
  std::uint64_t differing = 0;  // its samples that differ from the Instrument's
};

// An A4 held 2 s from block 1 and 1.5 s after it, with `before` setting controls at blocks 0
// and 1 (a host moves a macro: the plugin hands over a macro once it has moved).
Heard heldNote(const std::string& preset, const std::string& kind,
               const std::function<void(ArcBeside&, int)>& before, const std::string& saved = {}) {
  ArcBeside p(preset, saved, kind);
  p.play(657, [&](int block) {
    if (block < 2 && before) before(p, block);
    if (block == 1) p.midi.push_back({10, {0x90, 69, 100}});
    if (block == 376) p.midi.push_back({10, {0x80, 69, 0}});
  });
  return {std::move(p.out), p.differing};
}

}  // namespace

TEST_CASE("plugin: macro 1 sweeps the brightness glass-harmonica and strings map to it") {
  useBuildBundle();
  constexpr std::size_t kFrom = 24000, kTo = 96000;  // 0.5 to 2 s: the held note
  for (const auto& [preset, kind] :
       {std::pair<std::string, std::string>{"glass-harmonica", "instruments"},
        {"strings", "orchestra"}}) {
    double centroid[2] = {0.0, 0.0};
    std::uint64_t differing = 0;
    for (const int value : {0, 1}) {
      const Heard p = heldNote(preset, kind, [&](ArcBeside& a, int block) {
        a.macro(0, block == 0 ? 0.5f : static_cast<float>(value));
      });
      centroid[value] = spectralCentroidHz(std::span(p.out).subspan(kFrom, kTo - kFrom), kRate);
      differing += p.differing;
    }
    MESSAGE(preset << ": spectral centroid of a held A4 with macro 1 at 0: " << centroid[0]
                   << " Hz, at 1: " << centroid[1] << " Hz; " << differing
                   << " plugin samples differ from the Instrument's");
    CHECK(centroid[1] > 1.1 * centroid[0]);
    CHECK(differing == 0);
  }
  // glass-harmonica's macro 2: the halo around it, heard in the 1.5 s after the note ends.
  double tail[2] = {0.0, 0.0};
  for (const int value : {0, 1}) {
    const Heard p = heldNote("glass-harmonica", "instruments", [&](ArcBeside& a, int block) {
      a.macro(1, block == 0 ? 0.5f : static_cast<float>(value));
    });
    tail[value] = rmsDb(p.out, 377 * kBlock, p.out.size());
  }
  MESSAGE("glass-harmonica after the note: " << tail[0] << " dB RMS with macro 2 at 0, " << tail[1]
                                             << " dB at 1");
  CHECK(tail[1] > tail[0] + 3.0);
}

TEST_CASE("plugin: a macro moved is saved with the session, one never moved leaves the preset") {
  useBuildBundle();
  std::string saved;
  {
    ArcBeside session("glass-harmonica", {}, "instruments");
    session.macro(0, 0.6f);
    session.play(2);
    session.macro(0, 0.0f);  // back to its default value, but moved: it plays brightness 0.1
    session.play(2);
    saved = session.host.saveState();
  }
  const Heard reopened = heldNote(
      "glass-harmonica", "instruments",
      [](ArcBeside& a, int block) {
        if (block == 0) a.reference.setMacro(0, 0.0f);
      },
      saved);
  const Heard untouched = heldNote("glass-harmonica", "instruments", {});
  std::uint64_t fromPreset = 0;
  for (std::size_t i = 0; i < reopened.out.size(); ++i)
    fromPreset += reopened.out[i] != untouched.out[i];
  MESSAGE("reopened: " << reopened.differing << " samples differ from the Instrument given macro "
                       << "1 at 0; " << fromPreset << " from the preset never macro'd; untouched "
                       << untouched.differing << " from the Instrument with no macro");
  CHECK(reopened.differing == 0);
  CHECK(fromPreset > reopened.out.size() / 2);
  CHECK(untouched.differing == 0);
}

TEST_CASE("plugin: arc tension automated to live 0.9 at a frame plays the live tension") {
  useBuildBundle();
  constexpr int kAt = 375;       // 2 s, in the backstage scene (its curve 0.2 to 0.4)
  constexpr int kBlocks = 1500;  // 8 s
  ArcBeside script("the-performance"), live("the-performance");
  script.play(kBlocks);
  live.play(kBlocks, [&](int block) {
    if (block != kAt) return;
    live.set("tension_source", ArcControl::kTensionSource, 1.0f);
    live.set("tension", ArcControl::kTension, 0.9f);
  });
  const std::size_t at = static_cast<std::size_t>(kAt) * kBlock, end = live.out.size();
  std::size_t sameBefore = 0, differAfter = 0;
  for (std::size_t i = 0; i < end; ++i) {
    if (i < at) sameBefore += script.out[i] == live.out[i];
    if (i >= at) differAfter += script.out[i] != live.out[i];
  }
  const double scriptDb = rmsDb(script.out, at, end), liveDb = rmsDb(live.out, at, end);
  const std::size_t scriptOnsets = onsetsIn(script.out, at, end);
  const std::size_t liveOnsets = onsetsIn(live.out, at, end);
  MESSAGE("before frame " << at << ": " << sameBefore << " of " << at
                          << " samples the same; after it " << differAfter << " of " << end - at
                          << " differ. 2-8 s: script tension " << scriptDb << " dB RMS, "
                          << scriptOnsets << " onsets; live 0.9 " << liveDb << " dB, " << liveOnsets
                          << " onsets. Plugin vs Instrument given the same "
                          << "control: " << live.differing << " and " << script.differing
                          << " samples differ");
  CHECK(sameBefore == at);
  CHECK(differAfter > (end - at) / 2);
  CHECK(liveOnsets > scriptOnsets);
  CHECK(live.differing == 0);
  CHECK(script.differing == 0);
}

TEST_CASE("plugin: the next-scene trigger moves the arc on at the host's next bar line") {
  useBuildBundle();
  HostTime time;  // 120 bpm, 4/4, rolling from bar 1: a bar is 96000 frames, 375 blocks
  time.beatsPerMinute = 120.0;
  constexpr int kPress = 375 * 2 + 100;  // inside bar 3 (the backstage scene has 8)
  ArcBeside arc("the-performance");
  arc.play(
      375 * 4,
      [&](int block) {
        if (block == kPress) arc.set("next_scene", ArcControl::kNextScene, 1.0f);
        if (block == kPress + 1) arc.set("next_scene", ArcControl::kNextScene, 0.0f);
      },
      &time);
  ArcBeside alone("the-performance");  // not pressed: backstage plays its 8 bars
  alone.play(375 * 4, {}, &time);
  // The block after which the Instrument's scene first reads 1.
  const auto changed = std::find(arc.scenes.begin(), arc.scenes.end(), 1) - arc.scenes.begin();
  const auto unpressed = std::count(alone.scenes.begin(), alone.scenes.end(), 0);
  const std::int64_t barLine = 3 * 96000;  // the first bar line after the press
  MESSAGE("next scene pressed at frame "
          << kPress * kBlock << "; scene 1 from the block of frames " << changed * kBlock << "-"
          << (changed + 1) * kBlock << " (the bar line: " << barLine << "); " << arc.differing
          << " plugin samples differ from the "
          << "Instrument's; unpressed, scene 0 in all " << unpressed << " of "
          << alone.scenes.size() << " blocks");
  CHECK(unpressed == static_cast<std::ptrdiff_t>(alone.scenes.size()));
  CHECK(changed * kBlock <= barLine);
  CHECK((changed + 1) * kBlock > barLine);
  CHECK(arc.scenes[static_cast<std::size_t>(kPress)] == 0);
  CHECK(arc.differing == 0);
}

TEST_CASE("plugin: arc off silences the composer; a preset plays from MIDI either way") {
  useBuildBundle();
  // Off at 28 s, in the overture (the orchestra states the theme); beside it the arc left on.
  constexpr int kOff = 5250, kFrom = 6375, kBlocks = 7125;
  ArcBeside on("the-performance"), off("the-performance");
  on.play(kBlocks);
  off.play(kBlocks, [&](int block) {
    if (block == kOff) off.set("arc_on", ArcControl::kPlay, 0.0f);
  });
  const std::size_t from = static_cast<std::size_t>(kFrom) * kBlock, to = off.out.size();
  const double onDb = rmsDb(on.out, from, to), offDb = rmsDb(off.out, from, to);
  // A preset is no arc: the switch leaves it alone, and MIDI plays it as ever.
  ArcBeside preset("glass-harmonica", {}, "instruments");
  preset.play(200, [&](int block) {
    if (block == 0) preset.set("arc_on", ArcControl::kPlay, 0.0f);
    if (block == 1) preset.midi.push_back({10, {0x90, 69, 100}});
  });
  const double presetDb = rmsDb(preset.out, 0, preset.out.size());
  MESSAGE("34-38 s: the arc on " << onDb << " dB RMS; off since 28 s " << offDb
                                 << " dB. glass-harmonica with arc off, an A4 from MIDI: "
                                 << presetDb << " dB; "
                                 << on.differing + off.differing + preset.differing
                                 << " plugin samples differ from the Instrument's");
  CHECK(offDb < onDb - 60.0);
  CHECK(presetDb > -40.0);
  CHECK(on.differing + off.differing + preset.differing == 0);
}

TEST_CASE("plugin: the arc's controls are saved with the session and restored") {
  useBuildBundle();
  std::string saved;
  {
    ArcBeside session("the-performance");
    session.play(2);
    session.set("tension_source", ArcControl::kTensionSource, 1.0f);
    session.set("tension", ArcControl::kTension, 0.9f);
    session.play(2);
    saved = session.host.saveState();
  }
  // A fresh instance restores them, and plays as the Instrument given them from the start.
  ArcBeside reopened("the-performance", saved);
  const float source = reopened.host.control("tension_source");
  const float tension = reopened.host.control("tension");
  reopened.reference.setArcControl(ArcControl::kTensionSource, source);
  reopened.reference.setArcControl(ArcControl::kTension, tension);
  reopened.play(750);
  MESSAGE("restored: tension_source " << source << ", tension " << tension << "; "
                                      << reopened.differing
                                      << " samples differ from the Instrument given live 0.9");
  CHECK(source == 1.0f);
  CHECK(tension == doctest::Approx(0.9f));
  CHECK(reopened.differing == 0);
}

}  // namespace reverie::test

namespace reverie::test {

// DPF 1.6 writes one program's preset state under the wrong prefix (see plugin/CMakeLists.txt).
TEST_CASE("plugin: every LV2 preset chooses its own preset or arc") {
  useBuildBundle();
  Lv2Host host(kUri, kRate, kBlock);
  const std::vector<std::string> labels = host.presetLabels();
  std::size_t chosen = 0;
  for (const std::string& label : labels) {
    host.applyPreset(label);
    chosen += host.saveState().find("<urn:distrho:preset> \"" + label + "\"") != std::string::npos;
  }
  MESSAGE(chosen << " of " << labels.size() << " LV2 presets restore their own choice");
  CHECK(chosen == labels.size());
}

TEST_CASE("plugin: a preset file chosen as the LV2 file parameter plays, and is saved") {
  useBuildBundle();
  ScratchFolder folder;
  const std::filesystem::path file = folder.path() / "my-bowl.toml";
  std::filesystem::copy_file(presetFile("instruments", "singing-bowl"), file);
  const std::string property = std::string(kUri) + "#file";
  // glass-harmonica plays; the host's file chooser sends the user's file after block 9, and the
  // Instrument beside it loads the same file at that block boundary.
  ArcBeside p("glass-harmonica", {}, "instruments");
  p.play(20, [&](int block) {
    if (block == 9) p.host.setPath(property, file.string());
    if (block == 10) p.reference.load(file.string());
  });
  p.play(400, [&](int block) {
    if (block == 20) p.midi.push_back({10, {0x90, 69, 100}});
  });
  const std::string saved = p.host.saveState();
  const double peak = *std::max_element(p.out.begin(), p.out.end());
  // Reopened from the session, it plays the file as an Instrument built from it.
  Lv2Host reopened(kUri, kRate, kBlock);
  reopened.restoreState(saved);
  reopened.activate();
  Instrument fresh(file.string(), {kRate, kBlock, 1, false});
  std::vector<float> left(kBlock), right(kBlock), l(kBlock), r(kBlock);
  float* out[] = {l.data(), r.data()};
  std::uint64_t differing = 0;
  for (int block = 0; block < 400; ++block) {
    const BlockMidi on{10, {0x90, 69, 100}};
    const MidiEvent event = MidiEvent::noteOn(10, 0, 69, 100);
    reopened.run(kBlock, block == 0 ? std::span(&on, 1) : std::span<const BlockMidi>{}, left.data(),
                 right.data());
    fresh.process(out, kBlock, block == 0 ? std::span(&event, 1) : std::span<const MidiEvent>{});
    for (int i = 0; i < kBlock; ++i)
      differing += left[static_cast<std::size_t>(i)] != l[static_cast<std::size_t>(i)];
  }
  MESSAGE("the file as the plugin took it at block 10: "
          << p.differing << " samples differ from the Instrument "
          << "that loaded it (peak " << peak
          << "); saved state names it: " << (saved.find("my-bowl.toml") != std::string::npos)
          << "; reopened, " << differing << " samples differ from a fresh one");
  CHECK(peak > 0.01);
  CHECK(p.differing == 0);
  CHECK(saved.find("my-bowl.toml") != std::string::npos);
  CHECK(differing == 0);
}

}  // namespace reverie::test
