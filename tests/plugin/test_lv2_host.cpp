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
#include "reverie/offline_clock.hpp"
#include "support/command.hpp"
#include "support/smf_writer.hpp"
#include "support/sound_file_facts.hpp"

namespace reverie::test {
namespace {

constexpr double kRate = 48000.0;
constexpr const char* kUri = "urn:reverie:instrument";

// The build tree's bundle unless the test is told otherwise (ctest sets LV2_PATH too).
void useBuildBundle() {
  if (std::getenv("LV2_PATH") == nullptr) setenv("LV2_PATH", REVERIE_PLUGIN_DIR "/lv2", 1);
}

// A short phrase on two channels: notes of several lengths and velocities, overlapping on
// different keys, a modulation-wheel move and a bend, and a tempo change, so events fall
// everywhere inside host blocks.
std::filesystem::path writePhrase(const std::filesystem::path& folder) {
  TrackWriter tempo;
  tempo.tempo(0, 500000).tempo(287, 600000).end(400);
  TrackWriter notes;
  notes.event(0, {0x90, 60, 90})
      .event(37, {0x90, 64, 70})
      .event(59, {0x80, 60, 0})
      .event(13, {0xB0, 1, 80})
      .event(41, {0x90, 67, 110})
      .event(29, {0x80, 64, 0})
      .event(61, {0xE0, 0x00, 0x50})
      .event(55, {0x80, 67, 0})
      .event(17, {0x90, 72, 55})
      .event(83, {0xE0, 0x00, 0x40})
      .event(101, {0x80, 72, 0})
      .end();
  TrackWriter low;
  low.event(121, {0x91, 48, 100}).event(307, {0x81, 48, 0}).end();
  const auto path = folder / "phrase.mid";
  writeBytes(path, smfFile(1, 96, {tempo, notes, low}));
  return path;
}

struct Stereo {
  std::vector<float> left, right;
};

// The plugin in lilv: the LV2 preset `preset` restored before activation, the file's messages
// sent as atom MIDI at the frames the render places them on, in blocks of `block` frames.
Stereo renderInPlugin(const std::string& preset, const midi::MidiFile& file, int block,
                      std::uint64_t frames, int& latency, float levelDb = 0.0f) {
  Lv2Host host(kUri, kRate, block);
  host.applyPreset(preset);
  host.setControl("level", levelDb);
  host.activate();
  std::vector<std::pair<std::uint64_t, BlockMidi>> timed;
  for (const midi::TimedMessage& message : file.events)
    timed.push_back({framesForSeconds(message.seconds, kRate),
                     {0, {message.message.status, message.message.data1, message.message.data2}}});
  Stereo out{std::vector<float>(frames), std::vector<float>(frames)};
  std::size_t next = 0;
  std::vector<BlockMidi> events;
  for (std::uint64_t start = 0; start < frames; start += static_cast<std::uint64_t>(block)) {
    const auto count = static_cast<int>(std::min<std::uint64_t>(block, frames - start));
    events.clear();
    for (; next < timed.size() && timed[next].first < start + static_cast<std::uint64_t>(count);
         ++next) {
      BlockMidi midi = timed[next].second;
      midi.frame = static_cast<std::uint32_t>(timed[next].first - start);
      events.push_back(midi);
    }
    host.run(count, events, out.left.data() + start, out.right.data() + start);
  }
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
    const CommandResult rendered = runReverie(
        "render '" + phrase.string() + "' --preset " + preset + " -r 48000 -b 32f -o ref.wav",
        folder.path());
    REQUIRE_MESSAGE(rendered.exitCode == 0, rendered.err);
    const FileFacts reference = openSoundFile(folder / "ref.wav");
    const std::vector<float> left = channelOf(reference, 0), right = channelOf(reference, 1);
    const auto frames = static_cast<std::uint64_t>(reference.frames);
    for (const int block : {32, 256, 1000}) {
      int latency = -1;
      // The render starts after the limiter's look-ahead; the plugin reports it as latency.
      const Stereo plugin = renderInPlugin(preset, file, block, frames + 4096, latency);
      REQUIRE(latency >= 0);
      REQUIRE(latency <= 4096);
      std::uint64_t differing = 0, first = frames;
      float worst = 0.0f, peak = 0.0f;
      for (std::uint64_t i = 0; i < frames; ++i) {
        const auto at = i + static_cast<std::uint64_t>(latency);
        const float d =
            std::max(std::fabs(plugin.left[at] - left[i]), std::fabs(plugin.right[at] - right[i]));
        peak = std::max(peak, std::fabs(left[i]));
        if (plugin.left[at] != left[i] || plugin.right[at] != right[i]) {
          ++differing;
          first = std::min(first, i);
          worst = std::max(worst, d);
        }
      }
      MESSAGE(preset << " in blocks of " << block << ": " << frames << " frames after a latency of "
                     << latency << ", " << differing << " differ (first at " << first
                     << ", largest by " << worst << "); peak " << peak);
      CHECK(peak > 0.01f);
      CHECK(differing == 0);
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
