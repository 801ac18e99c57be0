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

#include "midi/smf_reader.hpp"
#include "plugin/lv2_host.hpp"
#include "plugin/phrase.hpp"
#include "support/command.hpp"
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

TEST_CASE("plugin: the LV2 bundle offers every shipped instrument and patch preset") {
  useBuildBundle();
  Lv2Host host(kUri, kRate, 256);
  const std::vector<std::string> labels = host.presetLabels();
  std::set<std::string> shipped;
  for (const char* kind : {"instruments", "orchestra", "patches"})
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(REVERIE_SOURCE_DIR) + "/presets/" + kind))
      if (entry.path().extension() == ".toml") shipped.insert(entry.path().stem().string());
  MESSAGE("LV2 presets: " << labels.size()
                          << ", shipped instrument and patch presets: " << shipped.size());
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
