// The LV2 plugin in a real host (lilv): every shipped preset is an LV2 preset, and a preset
// plus a MIDI file renders the very samples `reverie render FILE.mid --preset P` writes, at the
// host block sizes 32, 256 and 1000.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "dsp/random.hpp"
#include "midi/smf_reader.hpp"
#include "plugin/lv2_host.hpp"
#include "plugin/phrase.hpp"
#include "reverie/arc.hpp"
#include "reverie/instrument.hpp"
#include "support/command.hpp"
#include "support/following_composer.hpp"
#include "support/spectral_shape.hpp"
#include "support/spectrum_peaks.hpp"

namespace reverie::test {
namespace {

constexpr double kRate = kPluginRate;
constexpr const char* kUri = "urn:reverie:instrument";

// The build tree's bundle unless the test is told otherwise (ctest sets LV2_PATH too).
void useBuildBundle() {
  if (std::getenv("LV2_PATH") == nullptr) setenv("LV2_PATH", REVERIE_PLUGIN_DIR "/lv2", 1);
}

// Runs the file's messages through an activated host as atom MIDI at the frames the render
// places them on, in blocks of `block` frames.
Stereo runPhrase(Lv2Host& host, const midi::MidiFile& file, int block, std::uint64_t frames) {
  const std::vector<FramedMidi> timed = framedMessages(file);
  Stereo out{std::vector<float>(frames), std::vector<float>(frames)};
  std::size_t next = 0;
  std::vector<BlockMidi> events;
  for (std::uint64_t start = 0; start < frames; start += static_cast<std::uint64_t>(block)) {
    const auto count = static_cast<int>(std::min<std::uint64_t>(block, frames - start));
    events.clear();
    for (; next < timed.size() && timed[next].frame < start + static_cast<std::uint64_t>(count);
         ++next)
      events.push_back({static_cast<std::uint32_t>(timed[next].frame - start),
                        {timed[next].bytes[0], timed[next].bytes[1], timed[next].bytes[2]}});
    host.run(count, events, out.left.data() + start, out.right.data() + start);
  }
  return out;
}

// The plugin in lilv: the LV2 preset `preset` restored before activation, then the phrase.
Stereo renderInPlugin(const std::string& preset, const midi::MidiFile& file, int block,
                      std::uint64_t frames, int& latency, float levelDb = 0.0f) {
  Lv2Host host(kUri, kRate, block);
  host.applyPreset(preset);
  host.setControl("level", levelDb);
  host.activate();
  Stereo out = runPhrase(host, file, block, frames);
  latency = static_cast<int>(host.control("lv2_latency"));
  return out;
}

}  // namespace

TEST_CASE("plugin: the LV2 bundle offers every shipped preset and arc") {
  useBuildBundle();
  Lv2Host host(kUri, kRate, 256);
  const std::vector<std::string> labels = host.presetLabels();
  std::set<std::string> shipped;
  for (const char* kind : {"instruments", "orchestra", "patches", "arcs"})
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(REVERIE_SOURCE_DIR) + "/presets/" + kind))
      if (entry.path().extension() == ".toml") shipped.insert(entry.path().stem().string());
  MESSAGE("LV2 presets: " << labels.size()
                          << ", shipped instrument and patch presets and arcs: " << shipped.size());
  CHECK(std::set<std::string>(labels.begin(), labels.end()) == shipped);
  CHECK(labels.size() == shipped.size());
}

TEST_CASE("plugin: an LV2 preset and a MIDI file match reverie render in any host block") {
  useBuildBundle();
  ScratchFolder folder;
  const auto phrase = writePhrase(folder.path());
  const midi::MidiFile file = midi::loadMidiFile(phrase);
  REQUIRE(file.events.size() == 13);
  for (const std::string preset : {"glass-harmonica", "strings"}) {
    const Stereo reference = renderReference(phrase, preset, folder.path());
    const auto frames = static_cast<std::uint64_t>(reference.left.size());
    const std::vector<float>& left = reference.left;
    const std::vector<float>& right = reference.right;
    for (const int block : {32, 256, 1000}) {
      int latency = -1;
      // The render starts after the limiter's look-ahead; the plugin reports it as latency.
      const Stereo plugin = renderInPlugin(preset, file, block, frames + 4096, latency);
      REQUIRE(latency <= 4096);
      const Comparison c = compareAfterLatency(plugin, latency, reference);
      MESSAGE(preset << " in blocks of " << block << ": " << c.frames
                     << " frames after a latency of " << latency << ", " << c.differing
                     << " differ (first at " << c.firstDifference << ", largest by "
                     << c.largestDifference << "); peak " << c.peak);
      CHECK(c.peak > 0.01f);
      CHECK(c.differing == 0);
    }
    // The output level parameter scales what the comparison above saw: at -6.02 dB, half.
    int latency = -1;
    const Stereo quieter = renderInPlugin(preset, file, 256, frames + 4096, latency, -6.0206f);
    double energy = 0.0, quieterEnergy = 0.0;
    for (std::uint64_t i = 0; i < frames; ++i) {
      const auto at = i + static_cast<std::uint64_t>(latency);
      energy += double(left[i]) * left[i] + double(right[i]) * right[i];
      quieterEnergy += double(quieter.left[at]) * quieter.left[at] +
                       double(quieter.right[at]) * quieter.right[at];
    }
    const double ratio = std::sqrt(quieterEnergy / energy);
    MESSAGE(preset << " at an output level of -6.02 dB: RMS ratio " << ratio);
    CHECK(ratio == doctest::Approx(0.5).epsilon(0.001));
  }
}

}  // namespace reverie::test

namespace reverie::test {

TEST_CASE("plugin: an LV2 session state restores the preset and level in a fresh instance") {
  useBuildBundle();
  ScratchFolder folder;
  const auto phrase = writePhrase(folder.path());
  const midi::MidiFile file = midi::loadMidiFile(phrase);
  const std::string preset = "ice-violin";
  const Stereo reference = renderReference(phrase, preset, folder.path());
  std::string saved;
  {
    // A session: the preset chosen, the level turned down, some playing, then saved.
    Lv2Host session(kUri, kRate, 512);
    session.applyPreset(preset);
    session.setControl("level", -3.0f);
    session.activate();
    runPhrase(session, file, 512, 48000);
    saved = session.saveState();
  }
  Lv2Host reopened(kUri, kRate, 256);
  reopened.restoreState(saved);
  const float level = reopened.control("level");
  reopened.setControl("level", 0.0f);  // at unity, to compare with the render
  reopened.activate();
  const Stereo out = runPhrase(reopened, file, 256, reference.left.size() + 4096);
  const int latency = static_cast<int>(reopened.control("lv2_latency"));
  const Comparison c = compareAfterLatency(out, latency, reference);
  MESSAGE("the saved state names the preset: " << (saved.find(preset) != std::string::npos)
                                               << "; level restored " << level << " dB; then "
                                               << c.differing << " of " << c.frames
                                               << " frames differ from the render of " << preset);
  CHECK(saved.find(preset) != std::string::npos);
  CHECK(level == -3.0f);
  CHECK(c.peak > 0.01f);
  CHECK(c.differing == 0);
}

}  // namespace reverie::test

namespace reverie::test {

TEST_CASE("plugin: an LV2 preset chosen while the plugin runs plays in tune from the next note") {
  useBuildBundle();
  constexpr int kBlock = 256;
  Lv2Host host(kUri, kRate, kBlock);
  host.applyPreset("glass-harmonica");
  host.activate();
  std::vector<float> left(kBlock), right(kBlock);
  // A4 for a second on the first preset, measured; then the host's preset menu picks another
  // while it runs (its state restored between two blocks), and A4 again.
  const auto playA4 = [&](std::vector<float>& heard) {
    for (int block = 0; block < 150; ++block) {
      std::vector<BlockMidi> events;
      if (block == 0) events.push_back({10, {0x90, 69, 100}});
      if (block == 120) events.push_back({10, {0x80, 69, 0}});
      host.run(kBlock, events, left.data(), right.data());
      if (block >= 30 && block < 120) heard.insert(heard.end(), left.begin(), left.end());
    }
  };
  std::vector<float> before, after;
  playA4(before);
  host.applyPreset("water-drop");
  playA4(after);
  const double pitchBefore = fundamentalHz(before, kRate, 440.0);
  const double pitchAfter = fundamentalHz(after, kRate, 440.0);
  const double centroidBefore = spectralCentroidHz(before, kRate);
  const double centroidAfter = spectralCentroidHz(after, kRate);
  MESSAGE("A4 on glass-harmonica: " << pitchBefore << " Hz, centroid " << centroidBefore
                                    << " Hz; after choosing water-drop while running: "
                                    << pitchAfter << " Hz (" << centsBetween(pitchAfter, 440.0)
                                    << " cents), centroid " << centroidAfter << " Hz");
  CHECK(std::fabs(centsBetween(pitchAfter, 440.0)) < 2.0);
  // The new preset is what plays: its spectrum is not the old one's.
  CHECK(std::fabs(centroidAfter - centroidBefore) > 0.2 * centroidBefore);
}

}  // namespace reverie::test

namespace reverie::test {
namespace {

// A host's timeline driving the plugin's arc in lilv and, beside it, reverie::Instrument in
// this process with the same arc, seed, blocks and outside clock. The Instrument's control
// side runs here, so its scene is read after every block; the plugin's audio is compared with
// the Instrument's bit for bit, so what the plugin plays is what that composer decided.
class ArcOnTimeline {
 public:
  ArcOnTimeline(const std::string& arc, int block)
      : host_(kUri, kRate, block),
        reference_(std::string(REVERIE_SOURCE_DIR) + "/presets/arcs/" + arc + ".toml",
                   {kRate, block, 1, false}),
        block_(block) {
    host_.applyPreset(arc);
    host_.activate();
  }

  /// The host locates to `beat` (4/4) at `bpm`, rolling; said at the next block's first frame.
  void locate(double beat, double bpm) {
    say(beat, bpm);
    time_.frame = std::llround(beat * 60.0 / bpm * kRate);  // its own frame of that beat
  }
  /// The host's tempo changes where it is.
  void tempo(double bpm) { say(beat_, bpm); }

  /// Plays `frames` in blocks of at most the host's block.
  void play(std::uint64_t frames) {
    std::vector<float> left(static_cast<std::size_t>(block_)), right(left.size());
    std::vector<float> refLeft(left.size()), refRight(left.size());
    float* ref[] = {refLeft.data(), refRight.data()};
    while (frames > 0) {
      const auto n = static_cast<int>(std::min<std::uint64_t>(frames, block_));
      if (said_)
        reference_.setTransport({.external = true,
                                 .rolling = true,
                                 .beat = beat_,
                                 .beatsPerMinute = time_.beatsPerMinute,
                                 .beatsPerBar = 4.0,
                                 .beatType = 4.0});
      host_.run(n, {}, left.data(), right.data(), said_ ? &time_ : nullptr);
      reference_.process(ref, n);
      reference_.update();
      said_ = false;
      for (int i = 0; i < n; ++i) {
        const auto k = static_cast<std::size_t>(i);
        differing_ += left[k] != refLeft[k] || right[k] != refRight[k];
        peak_ = std::max(peak_, std::fabs(left[k]));
      }
      compared_ += static_cast<std::uint64_t>(n);
      beat_ += static_cast<double>(n) * time_.beatsPerMinute / (60.0 * kRate);
      time_.frame += n;
      frames -= static_cast<std::uint64_t>(n);
    }
  }
  /// Frames from now to the host's `beat`, as the composer places a tick there.
  std::uint64_t framesTo(double beat) const {
    return static_cast<std::uint64_t>(
        std::ceil((beat - beat_) * 60.0 / time_.beatsPerMinute * kRate - 1e-6));
  }
  int scene() const { return reference_.meters().scene; }
  std::uint64_t differing() const { return differing_; }
  std::uint64_t compared() const { return compared_; }
  float peak() const { return peak_; }

 private:
  void say(double beat, double bpm) {
    time_.bar = static_cast<std::int64_t>(std::floor(beat / 4.0));
    // time:barBeat travels as a float: both sides take the beat it says.
    const float barBeat = static_cast<float>(beat - 4.0 * static_cast<double>(time_.bar));
    time_.barBeat = barBeat;
    time_.beatsPerMinute = bpm;
    time_.speed = 1.0;
    beat_ = 4.0 * static_cast<double>(time_.bar) + static_cast<double>(barBeat);
    said_ = true;
  }

  Lv2Host host_;
  Instrument reference_;
  int block_;
  HostTime time_;
  double beat_ = 0.0;
  bool said_ = false;
  std::uint64_t differing_ = 0, compared_ = 0;
  float peak_ = 0.0f;
};

}  // namespace

TEST_CASE("plugin: an arc's scene changes land on the host's bar lines at 92 and then 130 bpm") {
  useBuildBundle();
  const Arc arc = loadArc(std::string(REVERIE_SOURCE_DIR) + "/presets/arcs/the-performance.toml");
  const std::vector<double> starts = sceneStartBeats(arc);  // 32, 80, 128, 152, ...
  ArcOnTimeline t("the-performance", 256);
  int onTheFrame = 0;
  // Up to the frame before the host's bar line the scene is the one before; on it, the next.
  const auto crossBarLine = [&](std::size_t scene) {
    t.play(t.framesTo(starts[scene - 1]));
    const int before = t.scene();
    t.play(1);
    MESSAGE("scene " << before << " -> " << t.scene() << " on the bar line at beat "
                     << starts[scene - 1]);
    onTheFrame += before == static_cast<int>(scene) - 1 && t.scene() == static_cast<int>(scene);
    t.play(20000);
  };
  t.locate(starts[0] - 8.0, 92.0);  // two bars before the overture, at 92 bpm
  crossBarLine(1);
  t.locate(starts[1] - 6.0, 92.0);  // into the overture's last bars; at 130 bpm a bar later
  t.play(t.framesTo(starts[1] - 4.0) + 5000);
  t.tempo(130.0);
  crossBarLine(2);
  t.locate(starts[3] - 4.0, 130.0);  // a bar before crystal-sings
  crossBarLine(4);
  MESSAGE("scene changes on the host's bar line, to the frame: "
          << onTheFrame << " of 3; the plugin's " << t.compared() << " frames differ from the "
          << "Instrument's in " << t.differing());
  CHECK(onTheFrame == 3);
  CHECK(t.peak() > 0.01f);
  CHECK(t.differing() == 0);
}

TEST_CASE("plugin: a jump to bar 40 plays from there the notes of a run through from bar 1") {
  useBuildBundle();
  constexpr double kBar40 = 39 * 4.0;
  // The plugin: playing near the start, then the host jumps to bar 40 and plays four bars.
  ArcOnTimeline t("the-performance", 256);
  t.locate(4.0, 120.0);
  t.play(96000);
  t.locate(kBar40, 120.0);
  t.play(t.framesTo(kBar40 + 16.0));
  // Its sound is the Instrument's, whose composer made after the same jump the notes of a run
  // that played through from bar 1 (the composer alone, checked here for this arc and seed).
  const Arc arc = loadArc(std::string(REVERIE_SOURCE_DIR) + "/presets/arcs/the-performance.toml");
  // The composer's seed as the plugin's Instrument (seed 1) gives it: from its node's name.
  const std::uint64_t seed = dsp::mixSeed(1 ^ dsp::hashName("composer"));
  FollowingComposer through(arc, kRate, seed), jumped(arc, kRate, seed);
  through.clock.beatsPerMinute = jumped.clock.beatsPerMinute = 120.0;
  through.play(through.framesTo(kBar40));
  const std::uint64_t bar40 = through.frame;
  through.play(through.framesTo(kBar40 + 16.0));
  jumped.play(jumped.framesTo(4.0) + 96000);
  jumped.clock.beat = kBar40;
  const std::uint64_t jumpedAt = jumped.frame;
  jumped.play(jumped.framesTo(kBar40 + 16.0));
  const std::vector<Heard> a = noteOnsFrom(through, bar40), b = noteOnsFrom(jumped, jumpedAt);
  const int same = sameNoteOns(a, b);
  MESSAGE("bars 40-43: " << a.size() << " note-ons played through from bar 1, " << b.size()
                         << " after the jump, " << same << " the same");
  CHECK(a.size() > 10);
  CHECK(a.size() == b.size());
  CHECK(same == static_cast<int>(a.size()));
  MESSAGE("after the jump to bar 40: " << t.differing() << " of " << t.compared()
                                       << " frames differ from the Instrument's");
  CHECK(t.peak() > 0.01f);
  CHECK(t.differing() == 0);
}

}  // namespace reverie::test

namespace reverie::test {

TEST_CASE("plugin: the seed is saved with the session and plays that seed's performance") {
  useBuildBundle();
  constexpr int kBlock = 512;
  constexpr int kBlocks = 470;  // 5 s
  const std::string arc = std::string(REVERIE_SOURCE_DIR) + "/presets/arcs/the-performance.toml";
  std::string saved;
  {
    Lv2Host session(kUri, kRate, kBlock);
    session.applyPreset("the-performance");
    session.activate();
    std::vector<float> left(kBlock), right(kBlock);
    session.run(kBlock, {}, left.data(), right.data());
    session.setControl("seed", 7.0f);  // a new seed while it plays: built anew, then saved
    session.run(kBlock, {}, left.data(), right.data());
    saved = session.saveState();
  }
  Lv2Host reopened(kUri, kRate, kBlock);
  reopened.restoreState(saved);
  const float seed = reopened.control("seed");
  reopened.activate();
  // The arc in its own time (no host position), against the Instrument with seeds 7 and 1.
  Instrument seven(arc, {kRate, kBlock, 7, false}), one(arc, {kRate, kBlock, 1, false});
  std::vector<float> left(kBlock), right(kBlock), l7(kBlock), r7(kBlock), l1(kBlock), r1(kBlock);
  float* out7[] = {l7.data(), r7.data()};
  float* out1[] = {l1.data(), r1.data()};
  std::uint64_t differ7 = 0, differ1 = 0;
  for (int block = 0; block < kBlocks; ++block) {
    reopened.run(kBlock, {}, left.data(), right.data());
    seven.process(out7, kBlock);
    one.process(out1, kBlock);
    for (std::size_t i = 0; i < left.size(); ++i) {
      differ7 += left[i] != l7[i] || right[i] != r7[i];
      differ1 += left[i] != l1[i] || right[i] != r1[i];
    }
  }
  MESSAGE("seed restored: " << seed << "; of " << kBlock * kBlocks << " frames, " << differ7
                            << " differ from the Instrument's with seed 7, " << differ1
                            << " from seed 1's");
  CHECK(seed == 7.0f);
  CHECK(differ7 == 0);
  CHECK(differ1 > 0);
}

}  // namespace reverie::test
