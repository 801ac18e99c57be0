// MIDI input: the byte parser, the translator, and Standard MIDI Files rendered by the
// command, with every note onset measured in the audio against its time in the file.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "midi/byte_parser.hpp"
#include "midi/midi_translator.hpp"
#include "midi/smf_reader.hpp"
#include "reverie/errors.hpp"
#include "support/command.hpp"
#include "support/smf_writer.hpp"
#include "support/sound_file_facts.hpp"

using namespace reverie;
using test::Bytes;
using test::TrackWriter;

namespace {

std::vector<midi::Message> parseAll(std::initializer_list<int> bytes, midi::ByteParser& parser) {
  std::vector<midi::Message> out;
  for (int b : bytes)
    if (auto m = parser.feed(static_cast<std::uint8_t>(b))) out.push_back(*m);
  return out;
}

// A square wave with no attack and a short release: onsets are sharp and notes do not blur.
constexpr const char* kClickPreset = R"(format_version = 1
[render]
tail = 0.5
[[node]]
name = "tone"
type = "synth"
params = { waveform = "square", attack = 0.0, decay = 1.0, sustain = 1.0, release = 0.01, level = -12.0, detune = 0.0, cutoff = 20000.0 }
[[node]]
name = "out"
type = "output"
[[connect]]
from = "tone.left"
to = "out.left"
[[connect]]
from = "tone.right"
to = "out.right"
)";

/// Onsets: the first sample above -40 dBFS after at least 50 ms below it.
std::vector<double> sharpOnsets(const std::vector<float>& x, double rate) {
  std::vector<double> onsets;
  const long gap = static_cast<long>(0.05 * rate);
  long lastLoud = -gap - 1;  // the start counts as after silence
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::fabs(x[i]) < 0.01f) continue;
    if (static_cast<long>(i) - lastLoud > gap) onsets.push_back(static_cast<double>(i) / rate);
    lastLoud = static_cast<long>(i);
  }
  return onsets;
}

struct RenderedOnsets {
  int exitCode;
  std::string err;
  std::vector<double> onsets;
  std::vector<float> left;
};

RenderedOnsets renderMidi(const Bytes& file, const std::string& name,
                          const std::string& extra = "") {
  test::ScratchFolder folder;
  test::writeBytes(folder / name, file);
  test::writeBytes(folder / "click.toml",
                   Bytes(kClickPreset, kClickPreset + std::strlen(kClickPreset)));
  const auto result = test::runReverie(
      "render " + name + " --preset click.toml -q -o out.wav " + extra, folder.path());
  RenderedOnsets r{result.exitCode, result.err, {}, {}};
  if (result.exitCode != 0) return r;
  const test::FileFacts facts = test::openSoundFile(folder / "out.wav");
  r.left = test::channelOf(facts, 0);
  r.onsets = sharpOnsets(r.left, facts.sampleRate);
  return r;
}

void checkOnsets(const RenderedOnsets& rendered, const std::vector<double>& expected) {
  CAPTURE(rendered.err);
  REQUIRE(rendered.exitCode == 0);
  REQUIRE(rendered.onsets.size() == expected.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(expected[i]);
    CHECK(std::fabs(rendered.onsets[i] - expected[i]) <= 0.001);
    worst = std::max(worst, std::fabs(rendered.onsets[i] - expected[i]));
  }
  MESSAGE(expected.size() << " onsets, worst error " << worst * 1000.0 << " ms");
}

// Format 0 at 480 ticks per quarter and the default 120 bpm; running status throughout,
// note-offs written as velocity-0 note-ons. Notes at 0, 0.5, 1.0 and 1.5 s.
Bytes formatZero(bool endOfTrack = true) {
  TrackWriter t;
  t.event(0, {0x90, 60, 100}).event(96, {60, 0});
  t.event(384, {64, 100}).event(96, {64, 0});
  t.event(384, {67, 100}).event(96, {67, 0});
  t.event(384, {72, 100}).event(96, {72, 0});
  if (endOfTrack) t.end();
  return test::smfFile(0, 480, {t});
}

// Format 1 at 96 ticks per quarter: a tempo track (100 bpm, then 150 bpm from beat 4) and two
// note tracks, with running status. Beats 0-3 last 0.6 s, later ones 0.4 s.
Bytes formatOne() {
  TrackWriter tempo;
  tempo.tempo(0, 600000).tempo(384, 400000).end();
  TrackWriter a, b;
  a.event(0, {0x90, 57, 90}).event(20, {0x80, 57, 0});
  for (int beat : {1, 2, 3, 4, 5, 6}) {
    (void)beat;
    a.event(76, {0x90, 57, 90}).event(20, {0x80, 57, 0});
  }
  a.event(172, {0x90, 57, 90}).event(20, {0x80, 57, 0}).end();  // beat 8
  b.event(432, {0x91, 69, 80})
      .event(10, {69, 0})
      .event(230, {69, 80})
      .event(10, {69, 0})
      .end();  // beats 4.5, 7
  return test::smfFile(1, 96, {tempo, a, b});
}

}  // namespace

TEST_CASE(
    "midi: the byte parser keeps running status, passes real-time bytes, skips sysex and strays") {
  midi::ByteParser parser;
  // Stray data first, then a note with running status, a clock inside a message, a sysex,
  // and a status byte that interrupts a half-read message.
  const auto messages =
      parseAll({0x40, 0x41,                    // strays
                0x90, 60,   100,  62,   0x00,  // note on 60, then 62 vel 0 by running status
                0x91, 0xF8, 64,   90,          // clock inside a note-on
                0xF0, 0x7E, 0x7F, 0x09, 0xF7,  // sysex
                65,   66,                      // data after sysex: no running status left
                0xE0, 0x00, 0x40,              // bend centre
                0xB0, 7,                       // interrupted
                0xC2, 5,    6},                // program change twice by running status
               parser);
  REQUIRE(messages.size() == 7);
  CHECK(messages[0] == midi::Message{0x90, 60, 100});
  CHECK(messages[1] == midi::Message{0x90, 62, 0});
  CHECK(messages[2] == midi::Message{0xF8, 0, 0});
  CHECK(messages[3] == midi::Message{0x91, 64, 90});
  CHECK(messages[4] == midi::Message{0xE0, 0x00, 0x40});
  CHECK(messages[5] == midi::Message{0xC2, 5, 0});
  CHECK(messages[6] == midi::Message{0xC2, 6, 0});
  CHECK(parser.strayBytes() == 4);
  CHECK(parser.skippedSysex() == 1);
}

TEST_CASE("midi: the translator gives 14-bit bend, RPN 0 bend range, and velocity 0 as note-off") {
  midi::Translator translator(midi::parseVelocityCurve("linear"));
  const midi::ChannelTarget target{7, 3};
  translator.setTargets(2, {&target, 1});
  std::vector<NodeEvent> events;
  auto collect = [&](const NodeEvent& e) { events.push_back(e); };
  for (const midi::Message& m :
       {midi::Message{0x92, 60, 127}, midi::Message{0x92, 60, 0}, midi::Message{0xE2, 0x7F, 0x7F},
        midi::Message{0xE2, 0x00, 0x00}, midi::Message{0xE2, 0x00, 0x40},
        midi::Message{0xB2, 101, 0}, midi::Message{0xB2, 100, 0}, midi::Message{0xB2, 6, 12},
        midi::Message{0xB2, 38, 50}, midi::Message{0x90, 60, 100}})
    translator.translate(m, 5, collect);
  REQUIRE(events.size() == 7);  // channel 1 has no target
  CHECK(events[0].node == 7);
  CHECK(events[0].event.type == EventType::kNoteOn);
  CHECK(events[0].event.value == 1.0f);
  CHECK(events[0].event.frame == 5);
  CHECK(events[1].event.type == EventType::kNoteOff);
  CHECK(events[2].event.value == 1.0f);
  CHECK(events[3].event.value == -1.0f);
  CHECK(events[4].event.value == 0.0f);
  CHECK(events[5].event.type == EventType::kParameter);
  CHECK(events[5].event.index == 3);
  CHECK(events[5].event.value == 12.0f);
  CHECK(events[6].event.value == doctest::Approx(12.5f));

  CHECK(midi::parseVelocityCurve("fixed=0.5").apply(3) == 0.5f);
  CHECK(midi::parseVelocityCurve("hard").apply(64) < midi::parseVelocityCurve("soft").apply(64));
  CHECK_THROWS_AS(midi::parseVelocityCurve("loud"), InputError);
}

TEST_CASE("midi: format 0 with running status renders every onset within 1 ms of the file") {
  checkOnsets(renderMidi(formatZero(), "zero.mid"), {0.0, 0.5, 1.0, 1.5});
}

TEST_CASE("midi: format 1 with a tempo map renders every onset within 1 ms of the file") {
  checkOnsets(renderMidi(formatOne(), "one.mid"),
              {0.0, 0.6, 1.2, 1.8, 2.4, 2.6, 2.8, 3.2, 3.6, 4.0});
}

TEST_CASE("midi: SMPTE timing (25 fps x 40 ticks) ignores tempo and lands within 1 ms") {
  TrackWriter t;
  t.tempo(0, 1000000);  // must not matter under SMPTE timing
  t.event(0, {0x90, 60, 100}).event(60, {0x80, 60, 0});
  t.event(190, {0x90, 62, 100}).event(60, {62, 0});
  t.event(467, {0x90, 64, 100}).event(60, {0x80, 64, 0});
  t.event(496, {0x90, 65, 100}).event(60, {65, 0}).end();
  const int division = ((256 - 25) << 8) | 40;  // -25 fps in the high byte: 1 ms per tick
  checkOnsets(renderMidi(test::smfFile(0, division, {t}), "smpte.mid"), {0.0, 0.25, 0.777, 1.333});
}

TEST_CASE("midi: an RMID wrapper and a missing end-of-track are read") {
  checkOnsets(renderMidi(test::rmidFile(formatOne()), "wrapped.rmi"),
              {0.0, 0.6, 1.2, 1.8, 2.4, 2.6, 2.8, 3.2, 3.6, 4.0});
  checkOnsets(renderMidi(formatZero(false), "unended.mid"), {0.0, 0.5, 1.0, 1.5});
}

TEST_CASE("midi: overlapping notes on one key sound until the last of them ends") {
  // On at 0 and 0.25 s; the first note's off at 0.5 s must not cut the second, which ends at 1.0 s.
  TrackWriter t;
  t.event(0, {0x90, 60, 100})
      .event(240, {60, 100})
      .event(240, {0x80, 60, 0})
      .event(480, {0x80, 60, 0})
      .end();
  const RenderedOnsets r = renderMidi(test::smfFile(0, 480, {t}), "overlap.mid");
  REQUIRE(r.exitCode == 0);
  auto level = [&](double seconds) {
    return std::fabs(r.left[static_cast<std::size_t>(seconds * 48000.0)]);
  };
  float peakAt75 = 0.0f, peakAfter = 0.0f;
  for (double s = 0.70; s < 0.80; s += 0.0005) peakAt75 = std::max(peakAt75, level(s));
  for (double s = 1.10; s < 1.20; s += 0.0005) peakAfter = std::max(peakAfter, level(s));
  MESSAGE("peak at 0.7-0.8 s " << peakAt75 << ", at 1.1-1.2 s " << peakAfter);
  CHECK(peakAt75 > 0.05f);
  CHECK(peakAfter < 0.001f);
}

TEST_CASE("midi: malformed files give exit 2, one clear line naming the file, and no output") {
  struct Case {
    const char* name;
    Bytes bytes;
    const char* expect;
  };
  auto withTrack = [](std::initializer_list<int> track) {
    Bytes b = test::smfFile(0, 480, {});
    b[11] = 1;  // one track
    test::append(b, {'M', 'T', 'r', 'k'});
    test::appendBigEndian(b, static_cast<std::uint32_t>(track.size()), 4);
    test::append(b, track);
    return b;
  };
  Bytes truncatedHeader = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0};
  Bytes shortHeader = formatZero();
  shortHeader[7] = 4;
  Bytes formatThree = formatZero();
  formatThree[9] = 3;
  Bytes noTracks = test::smfFile(0, 480, {});
  Bytes formatZeroTwoTracks = test::smfFile(0, 480, {TrackWriter().end(), TrackWriter().end()});
  Bytes overlongTrack = formatZero();
  overlongTrack[20] = 0x40;  // the track claims 16 KB more than it has
  Bytes missingTracks = formatOne();
  missingTracks[11] = 5;
  Bytes zeroDivision = formatZero();
  zeroDivision[12] = zeroDivision[13] = 0;
  Bytes badSmpte = test::smfFile(0, ((256 - 23) << 8) | 40, {TrackWriter().end()});
  Bytes riffWave = {'R', 'I', 'F', 'F', 4, 0, 0, 0, 'W', 'A', 'V', 'E'};
  Bytes rmidNoData = {'R', 'I', 'F', 'F', 12,  0,   0, 0, 'R', 'M',
                      'I', 'D', 'L', 'I', 'S', 'T', 0, 0, 0,   0};
  Bytes cutMidFile = formatZero();
  cutMidFile.resize(cutMidFile.size() - 9);
  const std::vector<Case> cases = {
      {"empty.mid", {}, "not a Standard MIDI File"},
      {"text.mid",
       {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n'},
       "not a Standard MIDI File"},
      {"garbage.mid", {0x00, 0xFF, 0x13, 0x37, 0x80, 0x90, 0x7F}, "not a Standard MIDI File"},
      {"truncated_header.mid", truncatedHeader, "truncated"},
      {"short_header.mid", shortHeader, "less than the 6 it needs"},
      {"format3.mid", formatThree, "unknown SMF format 3"},
      {"no_tracks.mid", noTracks, "declares no tracks"},
      {"format0_two_tracks.mid", formatZeroTwoTracks, "exactly one track"},
      {"overlong_track.mid", overlongTrack, "claims"},
      {"missing_tracks.mid", missingTracks, "declares 5 tracks but the file holds 3"},
      {"zero_division.mid", zeroDivision, "0 ticks per quarter note"},
      {"bad_smpte.mid", badSmpte, "SMPTE timing of 23 fps"},
      {"long_vlq.mid", withTrack({0x81, 0x81, 0x81, 0x81, 0x01, 0x90, 60, 100}),
       "longer than 4 bytes"},
      {"no_status.mid", withTrack({0x00, 60, 100, 0x00, 0xFF, 0x2F, 0x00}),
       "without a status byte"},
      {"meta_overrun.mid", withTrack({0x00, 0xFF, 0x01, 0x40, 'a', 'b'}),
       "a meta event claims 64 bytes"},
      {"bad_tempo.mid", withTrack({0x00, 0xFF, 0x51, 0x02, 0x07, 0xA1}), "tempo event has 2 bytes"},
      {"zero_tempo.mid", withTrack({0x00, 0xFF, 0x51, 0x03, 0, 0, 0}), "tempo of 0"},
      {"realtime_in_track.mid", withTrack({0x00, 0xF8, 0x00, 0xFF, 0x2F, 0x00}),
       "status byte 0xf8 cannot appear"},
      {"sysex_overrun.mid", withTrack({0x00, 0xF0, 0x7F, 0x01}), "a sysex event claims 127 bytes"},
      {"delta_then_nothing.mid", withTrack({0x00, 0x90, 60, 100, 0x60}),
       "ends before the event after a delta time"},
      {"half_message.mid", withTrack({0x00, 0x90, 60}), "ends in the middle of a channel message"},
      {"status_as_data.mid", withTrack({0x00, 0x90, 60, 0x85, 0x00, 0xFF, 0x2F, 0x00}),
       "data byte above 127"},
      {"cut_mid_file.mid", cutMidFile, "claims"},
      {"riff_wave.mid", riffWave, "not RMID"},
      {"rmid_without_data.rmi", rmidNoData, "no \"data\" chunk"},
  };
  test::ScratchFolder folder;
  for (const Case& c : cases) {
    CAPTURE(c.name);
    test::writeBytes(folder / c.name, c.bytes);
    const auto result =
        test::runReverie("render " + std::string(c.name) + " -q -o out.wav", folder.path());
    CAPTURE(result.err);
    CHECK(result.exitCode == 2);
    CHECK(result.err.find(c.name) != std::string::npos);
    CHECK(result.err.find(c.expect) != std::string::npos);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    CHECK(!std::filesystem::exists(folder / "out.wav"));
  }
  MESSAGE(cases.size() << " malformed files, each refused with exit 2 and one line");
  // Nothing but the inputs is left in the folder: no temporary output either.
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder.path()))
    files += entry.is_regular_file();
  CHECK(files == cases.size());
}
