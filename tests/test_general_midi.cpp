// General MIDI files as written: program changes pick presets by GM family, the drum channel
// is silent with one warning unless mapped, and --preset forces one preset on every channel.
// Each claim is measured on the rendered samples.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "midi/gm_programs.hpp"
#include "reverie/node.hpp"
#include "reverie/node_registry.hpp"
#include "reverie/preset.hpp"
#include "support/command.hpp"
#include "support/smf_writer.hpp"
#include "support/sound_file_facts.hpp"

using namespace reverie;
using test::Bytes;
using test::TrackWriter;

namespace {

/// Format 1 at 480 ticks per quarter, 120 bpm (a quarter is 0.5 s). With `programs`, channel 1
/// changes to program 47 (timpani) and channel 2 to 52 (choir aahs) before they play; channel 3
/// never changes program. Channel 1 plays A2 at 0.5 s, channel 2 A4 at 1.5 s, channel 3 E5 at
/// 2.5 s, each for half a second. With `drums`, channel 10 plays a kick and a snare in the
/// first 0.4 s.
Bytes generalMidiFile(bool programs, bool drums) {
  TrackWriter one, two, three, ten;
  if (programs) {
    one.event(0, {0xC0, 47});
    two.event(0, {0xC1, 52});
  }
  one.event(480, {0x90, 45, 100}).event(480, {0x80, 45, 0}).end();
  two.event(1440, {0x91, 69, 100}).event(480, {0x81, 69, 0}).end();
  three.event(2400, {0x92, 76, 100}).event(480, {0x82, 76, 0}).end();
  ten.event(0, {0x99, 36, 110}).event(120, {0x89, 36, 0});
  ten.event(120, {0x99, 38, 110}).event(120, {0x89, 38, 0}).end();
  std::vector<TrackWriter> tracks = {one, two, three};
  if (drums) tracks.push_back(ten);
  return test::smfFile(1, 480, tracks);
}

struct Render {
  int exitCode = 0;
  std::string err;
  std::vector<float> left, right;
  double rate = 48000.0;
};

Render render(const Bytes& file, const std::string& options) {
  test::ScratchFolder folder;
  test::writeBytes(folder / "song.mid", file);
  const auto result =
      test::runReverie("render song.mid -q -b 32f -o out.wav " + options, folder.path());
  Render r{result.exitCode, result.err, {}, {}, 48000.0};
  if (result.exitCode != 0) return r;
  const test::FileFacts facts = test::openSoundFile(folder / "out.wav");
  r.left = test::channelOf(facts, 0);
  r.right = test::channelOf(facts, 1);
  r.rate = facts.sampleRate;
  return r;
}

/// The largest difference between two renders' samples (1 when their lengths differ).
float largestDifference(const Render& a, const Render& b) {
  if (a.left.size() != b.left.size()) return 1.0f;
  float worst = 0.0f;
  for (std::size_t i = 0; i < a.left.size(); ++i)
    worst = std::max({worst, std::fabs(a.left[i] - b.left[i]), std::fabs(a.right[i] - b.right[i])});
  return worst;
}

float peakBetween(const Render& r, double from, double to) {
  float peak = 0.0f;
  const auto end = std::min(r.left.size(), static_cast<std::size_t>(to * r.rate));
  for (auto i = static_cast<std::size_t>(from * r.rate); i < end; ++i)
    peak = std::max({peak, std::fabs(r.left[i]), std::fabs(r.right[i])});
  return peak;
}

/// A shipped instrument or orchestra preset's file.
std::filesystem::path shippedPreset(std::string_view name) {
  for (const char* folder : {"instruments", "orchestra"}) {
    const std::filesystem::path path = std::filesystem::path(REVERIE_SOURCE_DIR) / "presets" /
                                       folder / (std::string(name) + ".toml");
    if (std::filesystem::exists(path)) return path;
  }
  return std::filesystem::path(REVERIE_SOURCE_DIR) / "presets" / std::string(name);
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("general midi: every program maps to a shipped preset that plays notes") {
  int exact = 0;
  for (int program = 0; program < 128; ++program) {
    const midi::GmPreset choice = midi::gmPreset(program);
    CAPTURE(program);
    CAPTURE(choice.preset);
    const Patch patch = loadPatch(shippedPreset(choice.preset));
    const bool playsNotes =
        std::any_of(patch.nodes.begin(), patch.nodes.end(), [](const NodeSpec& node) {
          const NodeType* type = findNodeType(node.type);
          return type != nullptr && type->acceptsNotes;
        });
    CHECK(playsNotes);
    exact += choice.exact ? 1 : 0;
  }
  MESSAGE(exact << " of 128 programs map to their own family's preset; the rest to the closest");
  CHECK(midi::gmPreset(40).preset == "strings");
  CHECK(midi::gmPreset(56).preset == "brass");
  CHECK(midi::gmPreset(47).preset == "timpani");
  CHECK(midi::gmPreset(52).preset == "choir");
  CHECK(midi::gmPreset(68).preset == "oboe");
  CHECK_FALSE(midi::gmPreset(122).exact);  // seashore: no preset is close
}

TEST_CASE("general midi: program changes choose presets, --preset overrides them") {
  const Bytes file = generalMidiFile(true, false);
  const Render byPrograms = render(file, "");
  REQUIRE(byPrograms.exitCode == 0);
  CHECK(peakBetween(byPrograms, 0.5, 3.0) > 0.01f);
  // The same notes with the channels mapped by hand to the presets the programs name: the
  // same samples, so each channel played its mapped preset.
  const Render byHand =
      render(generalMidiFile(false, false), "--channel 1=timpani --channel 2=choir");
  REQUIRE(byHand.exitCode == 0);
  const float same = largestDifference(byPrograms, byHand);
  // Mapped the other way round, the render is another one: the comparison can fail.
  const Render swapped =
      render(generalMidiFile(false, false), "--channel 1=choir --channel 2=timpani");
  REQUIRE(swapped.exitCode == 0);
  const float other = largestDifference(byPrograms, swapped);
  // --preset forces one preset on every channel: the program changes are then ignored, and the
  // file renders as the same notes without them.
  const Render forced = render(file, "--preset strings");
  const Render forcedPlain = render(generalMidiFile(false, false), "--preset strings");
  REQUIRE(forced.exitCode == 0);
  REQUIRE(forcedPlain.exitCode == 0);
  const float forcedSame = largestDifference(forced, forcedPlain);
  const float forcedOther = largestDifference(forced, byPrograms);
  MESSAGE("largest difference to the hand-mapped render "
          << same << ", to the swapped one " << other << "; --preset strings: " << forcedSame
          << " to the file without "
          << "programs, " << forcedOther << " to the GM render");
  CHECK(same == 0.0f);
  CHECK(other > 0.01f);
  CHECK(forcedSame == 0.0f);
  CHECK(forcedOther > 0.01f);
}

TEST_CASE("general midi: the drum channel is silent with one warning unless mapped") {
  const Bytes file = generalMidiFile(true, true);
  const Render silent = render(file, "");
  REQUIRE(silent.exitCode == 0);
  const std::string warning = "channel 10 plays General MIDI drums";
  CHECK(count(silent.err, warning) == 1);
  CHECK(count(silent.err, "--channel 10=PRESET") == 1);
  // Only the drums play in the first 0.45 s: nothing sounds there.
  const float drumsAlone = peakBetween(silent, 0.0, 0.45);
  const Render mapped = render(file, "--channel 10=timpani");
  REQUIRE(mapped.exitCode == 0);
  CHECK(count(mapped.err, warning) == 0);
  const float drumsMapped = peakBetween(mapped, 0.0, 0.45);
  MESSAGE("peak of the first 0.45 s: " << drumsAlone << " with the drums unmapped, " << drumsMapped
                                       << " with --channel 10=timpani");
  CHECK(drumsAlone == 0.0f);
  CHECK(drumsMapped > 0.01f);
}

TEST_CASE("general midi: a note held across a program change ends on the preset it began on") {
  // Channel 1 holds A4 under the pedal; halfway through it changes to timpani. The note-off and
  // the pedal's release must still reach the glass harmonica that plays the note, so the render
  // is the one without the program change, sample for sample, where both run.
  const auto file = [](bool change) {
    TrackWriter t;
    t.event(0, {0x90, 69, 100}).event(96, {0xB0, 64, 127});
    if (change) t.event(0, {0xC0, 47});
    t.event(384, {0x80, 69, 0}).event(480, {0xB0, 64, 0}).end();
    return test::smfFile(1, 480, {t});
  };
  const Render changed = render(file(true), "");
  const Render plain = render(file(false), "");
  REQUIRE(changed.exitCode == 0);
  REQUIRE(plain.exitCode == 0);
  const std::size_t common = std::min(changed.left.size(), plain.left.size());
  float worst = 0.0f;
  for (std::size_t i = 0; i < common; ++i)
    worst = std::max(worst, std::fabs(changed.left[i] - plain.left[i]));
  const float end =
      peakBetween(changed, static_cast<double>(changed.left.size()) / changed.rate - 0.1, 1e9);
  MESSAGE("largest difference over " << common << " common samples: " << worst
                                     << "; peak of the last 0.1 s " << end);
  CHECK(common > 48000);
  CHECK(worst == 0.0f);
  CHECK(end < 1e-3f);
}
