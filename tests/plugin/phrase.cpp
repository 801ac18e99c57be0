// The plugin hosts' phrase, reference render and comparison.
#include "plugin/phrase.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "reverie/offline_clock.hpp"
#include "support/command.hpp"
#include "support/smf_writer.hpp"
#include "support/sound_file_facts.hpp"

namespace reverie::test {

std::filesystem::path writePhrase(const std::filesystem::path& folder, bool notesOnly) {
  TrackWriter tempo;
  tempo.tempo(0, 500000).tempo(287, 600000).end(400);
  TrackWriter notes;
  // Without controllers, an empty text event holds each one's place in time.
  const auto control = [&notes, notesOnly](std::uint32_t delta, int status, int data1, int data2) {
    if (notesOnly)
      notes.event(delta, {0xFF, 0x01, 0x00});
    else
      notes.event(delta, {status, data1, data2});
  };
  notes.event(0, {0x90, 60, 90}).event(37, {0x90, 64, 70}).event(59, {0x80, 60, 0});
  control(13, 0xB0, 1, 80);
  notes.event(41, {0x90, 67, 110}).event(29, {0x80, 64, 0});
  control(61, 0xE0, 0x00, 0x50);
  notes.event(55, {0x80, 67, 0}).event(17, {0x90, 72, 55});
  control(83, 0xE0, 0x00, 0x40);
  notes.event(101, {0x80, 72, 0}).end();
  TrackWriter low;
  low.event(121, {0x91, 48, 100}).event(307, {0x81, 48, 0}).end();
  const auto path = folder / (notesOnly ? "notes.mid" : "phrase.mid");
  writeBytes(path, smfFile(1, 96, {tempo, notes, low}));
  return path;
}

std::vector<FramedMidi> framedMessages(const midi::MidiFile& file) {
  std::vector<FramedMidi> framed;
  for (const midi::TimedMessage& m : file.events)
    framed.push_back({framesForSeconds(m.seconds, kPluginRate),
                      {m.message.status, m.message.data1, m.message.data2}});
  return framed;
}

Stereo renderReference(const std::filesystem::path& phrase, const std::string& preset,
                       const std::filesystem::path& folder) {
  const CommandResult rendered = runReverie(
      "render '" + phrase.string() + "' --preset " + preset + " -r 48000 -b 32f -o reference.wav",
      folder);
  REQUIRE_MESSAGE(rendered.exitCode == 0, rendered.err);
  const FileFacts facts = openSoundFile(folder / "reference.wav");
  return {channelOf(facts, 0), channelOf(facts, 1)};
}

Comparison compareAfterLatency(const Stereo& plugin, int latency, const Stereo& reference) {
  Comparison c;
  c.frames = reference.left.size();
  c.firstDifference = c.frames;
  REQUIRE(latency >= 0);
  REQUIRE(plugin.left.size() >= c.frames + static_cast<std::uint64_t>(latency));
  for (std::uint64_t i = 0; i < c.frames; ++i) {
    const auto at = i + static_cast<std::uint64_t>(latency);
    c.peak = std::max(c.peak, std::fabs(reference.left[i]));
    if (plugin.left[at] == reference.left[i] && plugin.right[at] == reference.right[i]) continue;
    ++c.differing;
    c.firstDifference = std::min(c.firstDifference, i);
    c.largestDifference =
        std::max({c.largestDifference, std::fabs(plugin.left[at] - reference.left[i]),
                  std::fabs(plugin.right[at] - reference.right[i])});
  }
  return c;
}

}  // namespace reverie::test
