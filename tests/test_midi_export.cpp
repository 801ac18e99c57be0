// Issue 13: `render ARC --export-midi`. The-performance's exported file is read back by a reader
// written here (it shares no code with src/midi), its conductor, tracks and controllers checked
// against the arc, and every note-on and note-off of the composer is found again on its frame,
// both through that reader and through the re-render's own schedule (the patch's nodes found by
// the tracks' names).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "arc/arc_setup.hpp"
#include "arc/performance_midi.hpp"
#include "midi/midi_schedule.hpp"
#include "midi/smf_writer.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "reverie/offline_clock.hpp"
#include "reverie/preset.hpp"
#include "support/command.hpp"

namespace reverie {
namespace {

constexpr double kRate = 48000.0;
constexpr int kBlock = 1024;  // the render's block; the capture does not depend on it

// ---- An independent Standard MIDI File reader: chunks, delta times, running status, meta. ----
struct SmfEvent {
  std::uint64_t tick = 0;
  int status = 0;  ///< 0xFF for a meta event
  int meta = -1;   ///< meta type
  std::vector<std::uint8_t> data;
};
struct SmfTrack {
  std::string name;
  std::vector<SmfEvent> events;
};
struct Smf {
  int format = -1, division = 0;
  std::vector<SmfTrack> tracks;
};

class ByteReader {
 public:
  ByteReader(const std::vector<std::uint8_t>& bytes, std::size_t at, std::size_t end)
      : bytes_(bytes), at_(at), end_(end) {}
  bool done() const { return at_ >= end_; }
  std::uint8_t next() {
    if (at_ >= end_) throw std::runtime_error("the file ends inside an event or a chunk");
    return bytes_[at_++];
  }
  std::uint8_t peek() const { return bytes_[at_]; }
  std::uint32_t fixed(int count) {
    std::uint32_t value = 0;
    for (int i = 0; i < count; ++i) value = value << 8 | next();
    return value;
  }
  std::uint64_t varLen() {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) {
      const std::uint8_t b = next();
      value = value << 7 | (b & 0x7Fu);
      if ((b & 0x80u) == 0) return value;
    }
    FAIL("a variable-length number longer than 8 bytes");
    return value;
  }
  std::size_t at() const { return at_; }

 private:
  const std::vector<std::uint8_t>& bytes_;
  std::size_t at_, end_;
};

Smf readSmf(const std::vector<std::uint8_t>& bytes) {
  Smf smf;
  ByteReader file(bytes, 0, bytes.size());
  REQUIRE(file.fixed(4) == 0x4D546864u);  // "MThd"
  REQUIRE(file.fixed(4) == 6u);
  smf.format = static_cast<int>(file.fixed(2));
  const std::uint32_t count = file.fixed(2);
  smf.division = static_cast<int>(file.fixed(2));
  for (std::uint32_t t = 0; t < count; ++t) {
    REQUIRE(file.fixed(4) == 0x4D54726Bu);  // "MTrk"
    const std::uint32_t length = file.fixed(4);
    ByteReader track(bytes, file.at(), file.at() + length);
    for (std::uint32_t i = 0; i < length; ++i) file.next();
    SmfTrack& out = smf.tracks.emplace_back();
    std::uint64_t tick = 0;
    int running = 0;
    bool ended = false;
    while (!track.done()) {
      SmfEvent e;
      tick += track.varLen();
      e.tick = tick;
      const int status = track.peek() >= 0x80 ? track.next() : running;
      if (status < 0x80) throw std::runtime_error("a data byte with no running status");
      e.status = status;
      if (status == 0xFF) {
        e.meta = track.next();
        const std::uint64_t size = track.varLen();
        for (std::uint64_t i = 0; i < size; ++i) e.data.push_back(track.next());
        if (e.meta == 0x03 && out.name.empty()) out.name.assign(e.data.begin(), e.data.end());
        if (e.meta == 0x2F) ended = true;
      } else {
        if (status >= 0xF0) throw std::runtime_error("sysex or a system message in a track");
        running = status;
        e.data.push_back(track.next());
        if ((status & 0xF0) != 0xC0 && (status & 0xF0) != 0xD0) e.data.push_back(track.next());
      }
      out.events.push_back(std::move(e));
    }
    CHECK(ended);
  }
  return smf;
}

/// Seconds of each tick through the conductor's tempo events (120 bpm before the first).
struct ReadTempoMap {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> tempi;  // tick, microseconds/quarter
  int division = 1;
  double seconds(std::uint64_t tick) const {
    double at = 0.0;
    std::uint64_t from = 0;
    std::uint32_t micros = 500000;
    for (const auto& [t, m] : tempi) {
      if (t > tick) break;
      at += static_cast<double>(t - from) * micros / 1e6 / division;
      from = t;
      micros = m;
    }
    return at + static_cast<double>(tick - from) * micros / 1e6 / division;
  }
  std::uint64_t frame(std::uint64_t tick) const {
    return static_cast<std::uint64_t>(std::llround(seconds(tick) * kRate));
  }
};

// ---- The-performance, captured and exported once per process. ----
struct Exported {
  Arc arc;
  std::uint64_t frames = 0;
  arc::Performance performance;
  arc::MidiExport file;
  Smf smf;
};

const Exported& exported() {
  static const Exported result = [] {
    Exported e;
    e.arc = loadArc(std::string(REVERIE_SOURCE_DIR) + "/presets/arcs/the-performance.toml");
    e.frames = framesForSeconds(arc::arcSeconds(e.arc), kRate);
    e.performance = arc::capturePerformance(e.arc, {kRate, kBlock, 1}, e.frames);
    e.file = arc::performanceMidi(e.arc, e.performance, kRate, e.frames);
    e.smf = readSmf(e.file.bytes);
    return e;
  }();
  return result;
}

using NoteRow = std::tuple<std::uint64_t, bool, int>;  // frame, on, key

/// The composer's note-ons and note-offs for each node, by the node's name, in order.
std::map<std::string, std::vector<NoteRow>> composerNotes(const Exported& e) {
  std::map<std::string, std::vector<NoteRow>> notes;
  for (const arc::PerformedEvent& p : e.performance.events) {
    const bool on = p.event.type == EventType::kNoteOn;
    if (on || p.event.type == EventType::kNoteOff)
      notes[e.performance.names.at(p.node)].emplace_back(p.frame, on, p.event.index);
  }
  return notes;
}

}  // namespace

TEST_CASE("midi export: the-performance's conductor has the scenes' tempi, meters, keys, markers") {
  const Exported& e = exported();
  const Smf& smf = e.smf;
  CHECK(smf.format == 1);
  CHECK(smf.division == arc::kExportTicksPerQuarter);
  REQUIRE(!smf.tracks.empty());
  const SmfTrack& conductor = smf.tracks.front();
  CHECK(conductor.name == "the-performance");

  std::vector<SmfEvent> tempi, meters, keys, markers;
  for (const SmfEvent& ev : conductor.events) {
    CHECK(ev.status == 0xFF);  // no notes on the conductor
    if (ev.meta == 0x51) tempi.push_back(ev);
    if (ev.meta == 0x58) meters.push_back(ev);
    if (ev.meta == 0x59) keys.push_back(ev);
    if (ev.meta == 0x06) markers.push_back(ev);
  }
  const std::size_t scenes = e.arc.scenes.size();
  REQUIRE(tempi.size() == scenes);
  REQUIRE(meters.size() == scenes);
  REQUIRE(keys.size() == scenes);
  REQUIRE(markers.size() == scenes);

  ReadTempoMap map;
  map.division = smf.division;
  for (const SmfEvent& t : tempi)
    map.tempi.emplace_back(t.tick, (t.data[0] << 16) | (t.data[1] << 8) | t.data[2]);
  const Timeline timeline(e.arc, kRate);
  const std::uint64_t ticksPerBar = static_cast<std::uint64_t>(smf.division) * 4 *
                                    static_cast<std::uint64_t>(e.arc.beatsPerBar) /
                                    static_cast<std::uint64_t>(e.arc.beatUnit);
  std::uint64_t barLine = 0;
  double worstBarLineFrames = 0.0, driftFrames = 0.0;
  for (std::size_t i = 0; i < scenes; ++i) {
    const Scene& scene = e.arc.scenes[i];
    CAPTURE(scene.name);
    // Each scene's tempo, meter, key and name sit on its bar line, counted in whole bars.
    CHECK(tempi[i].tick == barLine);
    CHECK(meters[i].tick == barLine);
    CHECK(keys[i].tick == barLine);
    CHECK(markers[i].tick == barLine);
    CHECK(std::string(markers[i].data.begin(), markers[i].data.end()) == scene.name);
    CHECK(map.tempi[i].second == static_cast<std::uint32_t>(std::llround(60e6 / scene.tempo)));
    CHECK(meters[i].data[0] == e.arc.beatsPerBar);
    CHECK((1 << meters[i].data[1]) == e.arc.beatUnit);
    // The key: the home key moved by the scene's transposition, counted around the fifths.
    const int tonic = ((e.arc.homeKey + scene.transpose) % 12 + 12) % 12;
    const int sharps = static_cast<std::int8_t>(keys[i].data[0]);
    CHECK(((sharps * 7) % 12 + 12) % 12 == (e.arc.mode == Mode::kMinor ? (tonic + 3) % 12 : tonic));
    CHECK(keys[i].data[1] == (e.arc.mode == Mode::kMinor ? 1 : 0));
    // ... and the bar line falls where the render's does, but for the drift of the tempo
    // events' whole microseconds per quarter note over the bars before it.
    const double offBy = std::abs(map.seconds(barLine) * kRate -
                                  static_cast<double>(timeline.spans()[i].startFrame));
    CHECK(offBy <= driftFrames + 0.5);
    worstBarLineFrames = std::max(worstBarLineFrames, offBy);
    const double quarters =
        static_cast<double>(scene.bars) * e.arc.beatsPerBar * 4.0 / e.arc.beatUnit;
    driftFrames +=
        std::abs(std::round(60e6 / scene.tempo) - 60e6 / scene.tempo) * quarters * 1e-6 * kRate;
    barLine += ticksPerBar * static_cast<std::uint64_t>(scene.bars);
  }
  std::uint32_t slowest = 0, fastest = UINT32_MAX;
  for (const auto& [tick, micros] : map.tempi) {
    slowest = std::max(slowest, micros);
    fastest = std::min(fastest, micros);
  }
  CHECK(fastest < slowest);  // wrong-key runs faster
  // D major at home, G#/Ab major in the wrong key (transposed a tritone).
  CHECK(static_cast<std::int8_t>(keys[0].data[0]) == 2);
  MESSAGE(scenes << " scenes; bar lines within " << worstBarLineFrames
                 << " frames of the render's (whole-microsecond drift at most " << driftFrames
                 << "); tempi " << slowest << " .. " << fastest << " us/quarter");
}

TEST_CASE("midi export: one named track per section, notes and controllers on their frames") {
  const Exported& e = exported();
  const auto composer = composerNotes(e);
  REQUIRE(e.smf.tracks.size() == composer.size() + 1);  // every section here plays notes
  ReadTempoMap map;
  map.division = e.smf.division;
  for (const SmfEvent& ev : e.smf.tracks.front().events)
    if (ev.meta == 0x51)
      map.tempi.emplace_back(ev.tick, (ev.data[0] << 16) | (ev.data[1] << 8) | ev.data[2]);

  std::vector<int> channels;
  std::map<int, std::size_t> controllers;  // number -> changes
  std::size_t notes = 0, exact = 0, compared = 0;
  std::string previous;
  for (std::size_t t = 1; t < e.smf.tracks.size(); ++t) {
    const SmfTrack& track = e.smf.tracks[t];
    CAPTURE(track.name);
    REQUIRE(composer.count(track.name) == 1);
    // Tracks follow the patch's order of nodes.
    std::size_t here = 0, before = 0;
    for (std::size_t n = 0; n < e.arc.patch.nodes.size(); ++n) {
      if (e.arc.patch.nodes[n].name == track.name) here = n;
      if (e.arc.patch.nodes[n].name == previous) before = n;
    }
    if (t > 1) CHECK(here > before);
    previous = track.name;
    std::vector<NoteRow> read;
    int channel = -1;
    for (const SmfEvent& ev : track.events) {
      if (ev.status == 0xFF) continue;
      if (channel < 0) channel = ev.status & 0x0F;
      CHECK((ev.status & 0x0F) == channel);  // one channel per track
      const int kind = ev.status & 0xF0;
      if (kind == 0xB0) ++controllers[ev.data[0]];
      if (kind == 0x90 && ev.data[1] > 0) {
        read.emplace_back(map.frame(ev.tick), true, ev.data[0]);
        ++notes;
      } else if (kind == 0x80 || kind == 0x90) {
        read.emplace_back(map.frame(ev.tick), false, ev.data[0]);
      }
    }
    channels.push_back(channel);
    const std::vector<NoteRow>& wrote = composer.at(track.name);
    CHECK(read.size() == wrote.size());
    for (std::size_t i = 0; i < std::min(read.size(), wrote.size()); ++i, ++compared)
      exact += read[i] == wrote[i];
  }
  CHECK(exact == compared);
  CHECK(notes == e.file.notes);
  // Every channel once, never 10 (index 9), the General MIDI drums.
  for (std::size_t i = 0; i < channels.size(); ++i) {
    CHECK(channels[i] != 9);
    for (std::size_t j = 0; j < i; ++j) CHECK(channels[i] != channels[j]);
  }
  // The composer's controllers: dynamics, expression and brightness.
  CHECK(controllers[1] > 100);
  CHECK(controllers[11] > 100);
  CHECK(controllers[74] > 100);
  std::size_t controllerTotal = 0;
  for (const auto& [number, count] : controllers) controllerTotal += count;
  CHECK(controllerTotal == e.file.controllers);
  CHECK(e.file.inexact == 0);
  CHECK(e.file.closed == 0);
  MESSAGE((e.smf.tracks.size() - 1)
          << " section tracks, " << notes << " notes, " << compared
          << " note-ons and note-offs read back, " << exact << " on the composer's frame; CC1 "
          << controllers[1] << ", CC11 " << controllers[11] << ", CC74 " << controllers[74] << "; "
          << e.file.skippedParameters << " parameter changes not written");
}

TEST_CASE("midi export: rendering the file through the arc's patch plays every note on its frame") {
  const Exported& e = exported();
  const auto composer = composerNotes(e);
  midi::MidiFile file = midi::parseMidiFile(e.file.bytes, "the-performance.mid");
  Engine engine({kRate, kBlock, 1});
  midi::MidiRenderSetup setup;
  setup.defaultPatch = &e.arc.patch;  // the-stage, as `render perf.mid --preset the-stage`
  const midi::MidiSchedule schedule = midi::scheduleFile(file, setup, engine);
  CHECK(schedule.routedTracks.size() == composer.size());

  std::map<std::string, std::vector<NoteRow>> played;
  std::map<std::string, std::vector<float>> velocities;
  for (const ScheduledEvent& s : schedule.events) {
    const bool on = s.event.type == EventType::kNoteOn;
    if (!on && s.event.type != EventType::kNoteOff) continue;
    const std::string& name = engine.graph().entry(s.node).name;
    played[name].emplace_back(s.frame, on, s.event.index);
    if (on) velocities[name].push_back(s.event.value);
  }
  std::size_t compared = 0, same = 0;
  float worstVelocity = 0.0f;
  for (const auto& [name, wrote] : composer) {
    CAPTURE(name);
    const std::vector<NoteRow>& heard = played[name];
    CHECK(heard.size() == wrote.size());
    for (std::size_t i = 0; i < std::min(heard.size(), wrote.size()); ++i, ++compared)
      same += heard[i] == wrote[i];
  }
  std::map<std::string, std::size_t> next;  // each section's next note-on
  for (const arc::PerformedEvent& p : e.performance.events) {
    if (p.event.type != EventType::kNoteOn) continue;
    const std::string& name = e.performance.names.at(p.node);
    const std::size_t i = next[name]++;
    if (i < velocities[name].size())
      worstVelocity = std::max(worstVelocity, std::abs(velocities[name][i] - p.event.value));
  }
  CHECK(compared > 1000);
  CHECK(same == compared);
  CHECK(worstVelocity <= 0.5f / 127.0f + 1e-6f);  // velocity 1..127 rounds the composer's 0..1
  MESSAGE(compared << " note-ons and note-offs re-rendered, " << same
                   << " on the composer's frame; velocities within " << worstVelocity * 127.0f
                   << " of a MIDI step");
}

TEST_CASE("midi export: the command writes it beside the render, refuses patches and clashes") {
  const test::ScratchFolder folder;
  const test::CommandResult made = test::runReverie(
      "render the-performance --length 24 --tail 0 -q -o take.wav --export-midi take.mid",
      folder.path());
  REQUIRE(made.exitCode == 0);
  // The same bytes as the library's export of the same frames: the command adds nothing.
  const Exported& e = exported();
  const std::uint64_t frames = framesForSeconds(24.0, kRate);
  const arc::Performance cut = arc::capturePerformance(e.arc, {kRate, kBlock, 1}, frames);
  const arc::MidiExport expected = arc::performanceMidi(e.arc, cut, kRate, frames);
  const std::string written = test::readText(folder / "take.mid");
  CHECK(written == std::string(expected.bytes.begin(), expected.bytes.end()));
  const Smf smf = readSmf(expected.bytes);
  std::size_t markers = 0;
  for (const SmfEvent& ev : smf.tracks.front().events) markers += ev.meta == 0x06;
  CHECK(markers == 2);  // backstage, and overture from 20.9 s

  const test::CommandResult patch =
      test::runReverie("render glass-harmonica --length 1 -q --export-midi x.mid", folder.path());
  CHECK(patch.exitCode != 0);
  CHECK(patch.err.find("--export-midi") != std::string::npos);
  const test::CommandResult midiIn = test::runReverie(
      "render take.mid --preset the-stage --length 1 -q --export-midi y.mid", folder.path());
  CHECK(midiIn.exitCode != 0);
  CHECK(midiIn.err.find("--export-midi") != std::string::npos);
  const test::CommandResult clash = test::runReverie(
      "render the-performance --length 1 -q -o same.mid --export-midi same.mid", folder.path());
  CHECK(clash.exitCode != 0);
  CHECK(!std::filesystem::exists(folder / "x.mid"));
  CHECK(!std::filesystem::exists(folder / "y.mid"));
  MESSAGE("--length 24: " << written.size() << " bytes, " << markers
                          << " markers; refusals: " << patch.err.substr(0, patch.err.find('\n')));
}

/// Key names as mido spells them (sharps or flats -> name), major and minor.
std::string keyName(int sharps, bool minor) {
  static const std::map<int, std::string> major = {
      {-6, "Gb"}, {-5, "Db"}, {-4, "Ab"}, {-3, "Eb"}, {-2, "Bb"}, {-1, "F"}, {0, "C"},
      {1, "G"},   {2, "D"},   {3, "A"},   {4, "E"},   {5, "B"},   {6, "F#"}, {7, "C#"}};
  static const std::map<int, std::string> relativeMinor = {
      {-6, "Eb"}, {-5, "Bb"}, {-4, "F"}, {-3, "C"}, {-2, "G"}, {-1, "D"}, {0, "A"},
      {1, "E"},   {2, "B"},   {3, "F#"}, {4, "C#"}, {5, "G#"}, {6, "D#"}, {7, "A#"}};
  return minor ? relativeMinor.at(sharps) + "m" : major.at(sharps);
}

TEST_CASE("midi export: python3-mido reads the arc's scenes and the composer's notes from it") {
  // A second reader, as any DAW would be: mido (Debian's python3-mido, which
  // scripts/install-deps.sh installs for the system python).
  const Exported& e = exported();
  const test::ScratchFolder folder;
  {
    std::ofstream out(folder / "perf.mid", std::ios::binary);
    out.write(reinterpret_cast<const char*>(e.file.bytes.data()),
              static_cast<std::streamsize>(e.file.bytes.size()));
  }
  const std::string command = "/usr/bin/python3 '" + std::string(REVERIE_TEST_DATA_DIR) +
                              "/support/smf_summary.py' '" + (folder / "perf.mid").string() +
                              "' 48000 > '" + (folder / "summary.txt").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  const std::string summary = test::readText(folder / "summary.txt");
  INFO("mido said: " << summary.substr(0, 400) << " (install python3-mido)");
  REQUIRE(status == 0);

  // What it must say, from the arc and the composer's own events.
  std::vector<std::string> expected{"format 1",
                                    "division " + std::to_string(arc::kExportTicksPerQuarter),
                                    "track 0 " + e.arc.name};
  const std::uint64_t ticksPerBar = 4ull * arc::kExportTicksPerQuarter *
                                    static_cast<std::uint64_t>(e.arc.beatsPerBar) /
                                    static_cast<std::uint64_t>(e.arc.beatUnit);
  std::uint64_t tick = 0;
  for (const Scene& scene : e.arc.scenes) {
    const std::string at = std::to_string(tick) + " ";
    const int tonic = ((e.arc.homeKey + scene.transpose) % 12 + 12) % 12;
    const bool minor = e.arc.mode == Mode::kMinor;
    int sharps = 0;  // around the circle of fifths from C (or A minor)
    while (((sharps * 7) % 12 + 12) % 12 != (minor ? (tonic + 3) % 12 : tonic)) ++sharps;
    if (sharps > 6) sharps -= 12;
    expected.push_back("tempo " + at + std::to_string(std::llround(60e6 / scene.tempo)));
    expected.push_back("meter " + at + std::to_string(e.arc.beatsPerBar) + " " +
                       std::to_string(e.arc.beatUnit));
    expected.push_back("key " + at + keyName(sharps, minor));
    expected.push_back("marker " + at + scene.name);
    tick += ticksPerBar * static_cast<std::uint64_t>(scene.bars);
  }
  std::map<std::string, std::map<std::string, int>> counts;  // node -> kind -> events
  std::vector<std::string> notes;
  std::map<std::string, int> trackOf;
  for (const NodeSpec& spec : e.arc.patch.nodes)
    for (const arc::PerformedEvent& p : e.performance.events)
      if (e.performance.names.at(p.node) == spec.name && p.event.type != EventType::kParameter) {
        const int index = static_cast<int>(trackOf.size()) + 1;
        trackOf[spec.name] = index;
        expected.push_back("track " + std::to_string(index) + " " + spec.name);
        break;
      }
  for (const arc::PerformedEvent& p : e.performance.events) {
    const std::string& name = e.performance.names.at(p.node);
    const bool on = p.event.type == EventType::kNoteOn;
    if (on || p.event.type == EventType::kNoteOff) {
      ++counts[name][on ? "on" : "off"];
      notes.push_back("note " + std::to_string(trackOf.at(name)) + (on ? " on " : " off ") +
                      std::to_string(p.frame) + " " + std::to_string(p.event.index));
    } else if (p.event.type == EventType::kControlChange) {
      ++counts[name]["cc" + std::to_string(p.event.index)];
    }
  }
  for (const auto& [name, kinds] : counts)
    for (const auto& [kind, count] : kinds)
      expected.push_back("count " + std::to_string(trackOf.at(name)) + " " + kind + " " +
                         std::to_string(count));

  std::vector<std::string> said, saidNotes;
  std::istringstream lines(summary);
  for (std::string line; std::getline(lines, line);)
    (line.rfind("note ", 0) == 0 ? saidNotes : said).push_back(line);
  std::sort(expected.begin(), expected.end());
  std::sort(said.begin(), said.end());
  std::sort(notes.begin(), notes.end());
  std::sort(saidNotes.begin(), saidNotes.end());
  std::vector<std::string> missing, extra;
  std::set_difference(expected.begin(), expected.end(), said.begin(), said.end(),
                      std::back_inserter(missing));
  std::set_difference(said.begin(), said.end(), expected.begin(), expected.end(),
                      std::back_inserter(extra));
  for (const std::string& line : missing) CHECK_MESSAGE(false, "mido lacks: " << line);
  for (const std::string& line : extra) CHECK_MESSAGE(false, "mido adds: " << line);
  std::size_t sameNotes = 0;
  for (std::size_t i = 0; i < std::min(notes.size(), saidNotes.size()); ++i)
    sameNotes += notes[i] == saidNotes[i];
  CHECK(saidNotes.size() == notes.size());
  CHECK(sameNotes == notes.size());
  MESSAGE("mido: " << said.size() << " header, track, meta and count lines as expected ("
                   << missing.size() << " missing, " << extra.size() << " extra); " << sameNotes
                   << " of " << notes.size()
                   << " note-ons and note-offs on the composer's frame by mido's clock");
}

TEST_CASE("midi export: the tempo map puts each frame on a tick that reads back as that frame") {
  // 92 bpm (ticks shorter than frames at 48 kHz) then 76 bpm (longer): a frame is exact in the
  // first and, in the second, at most the nearest tick, never more than a frame away.
  const midi::TempoMap map(arc::kExportTicksPerQuarter,
                           {{0, 652174}, {arc::kExportTicksPerQuarter * 64ull, 789474}});
  const std::uint64_t change = static_cast<std::uint64_t>(
      std::llround(map.secondsAt(arc::kExportTicksPerQuarter * 64ull) * kRate));
  std::size_t exactBefore = 0, exactAfter = 0, checked = 0;
  for (std::uint64_t frame = 0; frame < 2 * change; frame += 997) {
    const midi::TempoMap::Placement placed = map.tickForFrame(frame, kRate);
    const double back = map.secondsAt(placed.tick) * kRate;
    CHECK(std::abs(back - static_cast<double>(frame)) <= 1.0);
    CHECK(placed.exact == (std::llround(back) == static_cast<long long>(frame)));
    (frame < change ? exactBefore : exactAfter) += placed.exact;
    ++checked;
  }
  CHECK(exactBefore == (change + 996) / 997);
  CHECK(exactAfter < checked - exactBefore);
  MESSAGE(checked << " frames placed: all " << exactBefore << " at 92 bpm exact, " << exactAfter
                  << " of " << checked - exactBefore << " at 76 bpm");
}

}  // namespace reverie
