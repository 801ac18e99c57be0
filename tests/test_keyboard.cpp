// Every shipped preset played across the keyboard, measured: each pitched one sings its
// principal in tune while the key is down and after it is up, and no note ever sticks.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <string>

#include "reverie/engine.hpp"
#include "reverie/node_registry.hpp"
#include "reverie/preset.hpp"
#include "support/command.hpp"
#include "support/engine_render.hpp"
#include "support/line_centre.hpp"
#include "support/sample_statistics.hpp"
#include "support/spectrum_peaks.hpp"

using namespace reverie;

namespace {

constexpr double kRate = 48000.0;
constexpr int kBlock = 512;

std::filesystem::path presetFile(const std::string& kindAndName) {
  return std::filesystem::path(REVERIE_SOURCE_DIR) / "presets" / (kindAndName + ".toml");
}

/// Parameters to set on a preset before it is built: ("node.param", value).
using ParameterChanges = std::vector<std::pair<std::string, float>>;

/// A preset built into its own engine, its note players found as `reverie render` finds them
/// for a MIDI file: every node whose type plays notes gets every note.
struct PresetRig {
  Patch patch;
  Engine engine{{kRate, kBlock, 1}};
  std::map<std::string, NodeId> ids;
  std::vector<NodeId> players;
  double tuningHz = 440.0;
  bool bowed = false;

  /// `changes` set parameters ("node.param", value) of the preset before it is built.
  explicit PresetRig(const std::string& kindAndName, const ParameterChanges& changes = {})
      : patch(loadPatch(presetFile(kindAndName))) {
    for (const auto& [where, value] : changes) {
      const auto dot = where.find('.');
      for (NodeSpec& spec : patch.nodes) {
        if (spec.name != where.substr(0, dot)) continue;
        const std::string parameter = where.substr(dot + 1);
        auto found = std::find_if(spec.parameters.begin(), spec.parameters.end(),
                                  [&](const auto& p) { return p.first == parameter; });
        if (found != spec.parameters.end())
          found->second = value;
        else
          spec.parameters.emplace_back(parameter, value);
      }
    }
    ids = buildGraph(patch, engine.graph());
    engine.commit();
    for (const NodeSpec& spec : patch.nodes) {
      const NodeType* type = findNodeType(spec.type);
      if (type == nullptr || !type->acceptsNotes) continue;
      const NodeId id = ids.at(spec.name);
      players.push_back(id);
      const Node& node = engine.graph().node(id);
      const int tuning = findParameter(node.parameters(), "tuning");
      if (tuning >= 0) tuningHz = node.parameterTarget(tuning);
      for (const auto& [name, value] : spec.parameters)
        if (spec.type == "crystal" && name == "exciter" && value == 1.0f) bowed = true;
    }
  }
  double keyHz(int key) const { return tuningHz * std::exp2((key - 69) / 12.0); }
  void addNote(std::vector<ScheduledEvent>& events, std::uint64_t on, std::uint64_t off, int key,
               float velocity) const {
    for (NodeId id : players) {
      events.push_back(test::note(on, id, key, velocity));
      events.push_back(test::noteOff(off, id, key));
    }
  }
  int voices() {
    int count = 0;
    for (NodeId id : players) count += engine.graph().node(id).publishedVoices();
    return count;
  }
  /// The time a note may take to end, from the preset's own values (defaults included): its
  /// release plus its longest T60, the release's own among them (every release here is a time
  /// to -60 dB), at most 30 s.
  double promisedTailSeconds() {
    double release = 0.0, t60 = 0.0;
    for (const auto& [name, id] : ids) {
      const Node& node = engine.graph().node(id);
      const int r = findParameter(node.parameters(), "release"),
                t = findParameter(node.parameters(), "t60");
      // The winds' pad lengthens its release by 1 s (the parameter's own description says so).
      const int instrument = findParameter(node.parameters(), "instrument");
      const double padExtra =
          node.type().name == "winds" && instrument >= 0 && node.parameterTarget(instrument) == 3.0f
              ? 1.0
              : 0.0;
      if (r >= 0) release = std::max(release, node.parameterTarget(r) + padExtra);
      if (t >= 0) t60 = std::max(t60, static_cast<double>(node.parameterTarget(t)));
    }
    return std::min(30.0, release + std::max(release, t60));
  }
};

std::span<const float> between(const std::vector<float>& x, double from, double to) {
  const auto a = static_cast<std::size_t>(from * kRate);
  const auto b = std::min(x.size(), static_cast<std::size_t>(to * kRate));
  return {x.data() + a, b - a};
}

/// The principal's pitch in cents from 12-TET: the power centroid of its spectral line, so a
/// beating pair reads its power-weighted mean.
double centsOff(std::span<const float> segment, double expectedHz) {
  const double seconds = static_cast<double>(segment.size()) / kRate;
  const double halfWidth = std::min(0.3 * expectedHz, 5.0 / seconds + 0.02 * expectedHz + 12.0);
  return test::centsBetween(test::lineCentreHz(segment, kRate, expectedHz, halfWidth), expectedHz);
}

}  // namespace

namespace {

/// One held note on a fresh build of the preset, both channels summed (a stereo spread pans
/// the halves of a pair, or the players of an ensemble, apart; the listener hears their sum).
/// `only` >= 0 plays the note on that note player alone.
std::vector<float> playHeld(const char* name, int key, float velocity, float wheel, double hold,
                            double seconds, int only = -1, const ParameterChanges& changes = {}) {
  PresetRig rig(name, changes);
  std::vector<ScheduledEvent> events;
  for (std::size_t p = 0; p < rig.players.size(); ++p) {
    if (only >= 0 && static_cast<int>(p) != only) continue;
    const NodeId id = rig.players[p];
    events.push_back({0, id, {0, EventType::kControlChange, 0, 1, wheel}});
    events.push_back(test::note(1, id, key, velocity));
    events.push_back(test::noteOff(static_cast<std::uint64_t>(hold * kRate), id, key));
  }
  const test::Stereo out =
      test::renderBlocks(rig.engine, std::move(events), static_cast<std::size_t>(seconds * kRate),
                         [] { return kBlock; });
  std::vector<float> mono(out.left.size());
  for (std::size_t i = 0; i < mono.size(); ++i) mono[i] = 0.5f * (out.left[i] + out.right[i]);
  return mono;
}

struct PitchSweep {
  double held = 0.0, released = 0.0;  // the worst of each, signed
  int heldKey = 0, releasedKey = 0;
};

/// Every key 36-96 in steps of 6: the principal over the last 0.8 s of a 2.4 s hold (past a bow's
/// attack, a shatter's shower and a low pair's first slow beat) and over the 0.25 s after
/// note-off. Bowed presets at
/// velocities 40, 100 and 127 and at 100 with full extra pressure (the mod wheel). A preset
/// with several note players is read after note-off one player at a time: two sources of one
/// pitch whose phases differ slide in phase as one fades under the other, which is no jump.
PitchSweep sweepPitch(const char* name, bool check) {
  constexpr double kAfter = 0.25;
  const PresetRig rig(name);
  constexpr double hold = 2.4;
  std::vector<std::pair<float, float>> touches = {{100.0f / 127.0f, 0.0f}};
  if (rig.bowed)
    touches = {
        {40.0f / 127.0f, 0.0f}, {100.0f / 127.0f, 0.0f}, {1.0f, 0.0f}, {100.0f / 127.0f, 1.0f}};
  PitchSweep worst;
  for (int key = 36; key <= 96; key += 6)
    for (const auto& [velocity, wheel] : touches) {
      const double hz = rig.keyHz(key);
      const std::vector<float> all = playHeld(name, key, velocity, wheel, hold, hold + kAfter);
      const double held = centsOff(between(all, hold - 0.8, hold), hz);
      double released = 0.0;
      if (rig.players.size() == 1) {
        released = centsOff(between(all, hold, hold + kAfter), hz);
      } else {
        for (std::size_t p = 0; p < rig.players.size(); ++p) {
          const std::vector<float> one =
              playHeld(name, key, velocity, wheel, hold, hold + kAfter, static_cast<int>(p));
          const auto after = between(one, hold, hold + kAfter);
          if (test::rmsDb(after, 0, after.size()) < -100.0)
            continue;  // this player has died away by note-off
          const double cents = centsOff(after, hz);
          if (!(std::fabs(cents) <= std::fabs(released))) released = cents;
        }
      }
      if (check) {
        const std::string preset = name;
        CAPTURE(preset);
        CAPTURE(key);
        CAPTURE(velocity);
        CAPTURE(wheel);
        CHECK(std::fabs(held) <= 2.0);
        CHECK(std::fabs(released) <= 2.0);
      }
      if (!(std::fabs(held) <= std::fabs(worst.held))) worst.held = held, worst.heldKey = key;
      if (!(std::fabs(released) <= std::fabs(worst.released)))
        worst.released = released, worst.releasedKey = key;
    }
  return worst;
}

std::string describe(const char* name, const PitchSweep& w) {
  std::ostringstream line;
  line << "\n  " << name << ": held " << w.held << " cents (MIDI " << w.heldKey
       << "), after note-off " << w.released << " cents (MIDI " << w.releasedKey << ")";
  return line.str();
}

void checkPitch(std::initializer_list<const char*> names) {
  std::string table;
  double overall = 0.0;
  for (const char* name : names) {
    const PitchSweep w = sweepPitch(name, true);
    table += describe(name, w);
    overall = std::max({overall, std::fabs(w.held), std::fabs(w.released)});
  }
  MESSAGE("worst principal error per preset (cents from 12-TET):" << table << "\n  overall "
                                                                  << overall << " cents");
}

/// Plays every note 21-108 on each preset; every note must end (no voice, below -90 dBFS)
/// within the preset's release plus its longest T60.
void checkEndings(std::initializer_list<const char*> names) {
  constexpr double kHold = 0.3;
  const float silence = std::pow(10.0f, -90.0f / 20.0f);
  std::ostringstream table;
  for (const char* name : names) {
    PresetRig rig(name);
    if (rig.players.empty()) continue;
    const double limit = std::max(1.0, rig.promisedTailSeconds());
    constexpr int kHoldBlocks = static_cast<int>(kHold * kRate / kBlock);
    const auto limitBlocks = static_cast<long>(limit * kRate / kBlock) + 1;
    std::vector<float> left(kBlock), right(kBlock);
    float* outputs[] = {left.data(), right.data()};
    double worst = 0.0;
    int worstKey = 0, stuck = 0;
    // One engine: each note (or chord) starts once the one before has ended.
    // Note by note; a preset that may ring longer than 5 s plays chords of eight notes far apart
    // (21, 32, ..., 98; then 22, 33, ...), which end only when all their notes have: eleven
    // chords cover the keyboard at an eighth of the cost.
    const int stride = limit > 5.0 ? 11 : 88;
    for (int first = 21; first < std::min(21 + stride, 109); ++first) {
      std::vector<NodeEvent> on, off;
      for (int key = first; key <= 108; key += stride)
        for (NodeId id : rig.players) {
          on.push_back(
              {id, {0, EventType::kNoteOn, 0, static_cast<std::uint16_t>(key), 100.0f / 127.0f}});
          off.push_back({id, {0, EventType::kNoteOff, 0, static_cast<std::uint16_t>(key), 0.0f}});
        }
      rig.engine.process(outputs, kBlock, on);
      for (int b = 1; b < kHoldBlocks; ++b) rig.engine.process(outputs, kBlock, {});
      rig.engine.process(outputs, kBlock, off);
      double endedAfter = -1.0;
      for (long b = 1; b <= limitBlocks; ++b) {
        rig.engine.process(outputs, kBlock, {});
        float peak = 0.0f;
        for (int i = 0; i < kBlock; ++i)
          peak = std::max({peak, std::fabs(left[static_cast<std::size_t>(i)]),
                           std::fabs(right[static_cast<std::size_t>(i)])});
        if (peak < silence && rig.voices() == 0) {
          endedAfter = static_cast<double>(b * kBlock) / kRate;
          break;
        }
      }
      const std::string preset = name;
      CAPTURE(preset);
      CAPTURE(first);
      CHECK(endedAfter >= 0.0);
      if (endedAfter < 0.0) {
        ++stuck;
        endedAfter = limit;
      }
      if (endedAfter > worst) worst = endedAfter, worstKey = first;
    }
    table << "\n  " << name << ": longest " << worst << " s (MIDI " << worstKey
          << (stride < 88 ? " and its chord" : "") << "), limit " << limit << " s, " << stuck
          << (stride < 88 ? " of 11 chords" : " of 88 notes") << " not ended";
  }
  MESSAGE("time from note-off to no voice and below -90 dBFS, MIDI 21-108:" << table.str());
}

// ---- the orchestra presets' pitch ----------------------------------------------------------

/// How an orchestra preset's pitch is read. A section is an ensemble (detuned players, singers,
/// a chorus's taps) and often has vibrato, so no single partial's peak says where it is tuned.
enum class Reading {
  /// A held tone: the line centre of harmonics 1-8 (below 6 kHz) over the hold, where the
  /// detuned copies centre (the measure the issue names for a beating pair).
  kHeld,
  /// Voices with vibrato through vowel formants. The formants turn each harmonic's swing into a
  /// swell on one side of it, which pulls a power-weighted centre off by up to 5 cents at MIDI
  /// 90 with one singer whose mean frequency is within 0.3 cents. So the section is read twice:
  /// with its vibrato off by line centre (the singers' detune and jitter), and as one singer,
  /// vibrato on, by mean frequency (the intonation of the vibrato itself).
  kSung,
  /// A membrane: its principal alone (the overtones are not harmonics: the (3,1) mode sits at
  /// 1.99), by mean frequency while it rings; struck, not held.
  kDrum,
};

struct OrchestraPreset {
  const char* name;
  Reading reading;
  /// Parameters the reading sets. A stab or a staccato note is over within 0.3 s: a 0.3 s note
  /// at MIDI 36 has a spectral line 3 Hz (80 cents) wide, and nothing, ear or FFT, places it
  /// to 2 cents. Those presets are read with the same players holding the note; a heartbeat,
  /// which strikes again before the head has rung out, with one stroke a key.
  ParameterChanges changes;
  /// Set as well for the note-off reading. A hall's tail rings where the room's modes are
  /// (a real hall's does too): 0.1 s after a short release at MIDI 36 it centres 24 cents off
  /// the note, whatever the note did. The note's own release is read dry.
  ParameterChanges noteOffChanges = {};
};

struct OrchestraSweep {
  double held = 0.0, released = 0.0;  // the worst of each, signed
  int heldKey = 0, releasedKey = 0, keys = 0;
  std::string silentKeys, outside;
};

void keepWorst(double cents, int key, double& worst, int& worstKey) {
  if (!(std::fabs(cents) <= std::fabs(worst))) worst = cents, worstKey = key;
}

/// One orchestra preset over MIDI 36-96 in steps of 6 at velocity 100: the pitch while the
/// note sounds (held from 0.8 s, past the onset, scoop and vibrato's fade-in, to note-off at
/// 4 s; a drum from 30 ms after its stroke for as long as it rings, at most 1.5 s) and what
/// note-off does to it: the 0.25 s after note-off frame by frame against a render where the
/// key stays down (harmonicsShiftCents), so the vibrato and beats, the same in both, cancel.
/// Keys at which the preset is silent (beyond a section's range) are listed, not judged. A
/// drum is judged over MIDI 36-72, a kettledrum's compass (about MIDI 38-60) with an octave to
/// spare; above it the head's principal is weak beside its stroke and dies within 0.1-0.3 s, a
/// line too wide to place to 2 cents, so those keys are printed, not judged.
OrchestraSweep sweepOrchestraPitch(const OrchestraPreset& preset) {
  const bool drum = preset.reading == Reading::kDrum;
  const double hold = drum ? 1.5 : 4.0, after = 0.25;
  const PresetRig rig(preset.name, preset.changes);
  const auto frame = [](double seconds) { return static_cast<std::size_t>(seconds * kRate); };
  const auto cents = [](double hz, double expected) { return 1200.0 * std::log2(hz / expected); };
  OrchestraSweep worst;
  // Under a sanitizer (ten times the cost) MIDI 36, 66 and 96 only: the measurement is the
  // Release run's, the sanitizers check the memory and arithmetic on the way.
  for (int key = 36; key <= 96; key += test::kSanitized ? 30 : 6) {
    const double hz = rig.keyHz(key);
    const auto render = [&](double noteOff, const ParameterChanges& more = {}) {
      ParameterChanges changes = preset.changes;
      changes.insert(changes.end(), more.begin(), more.end());
      return playHeld(preset.name, key, 100.0f / 127.0f, 0.0f, noteOff, hold + after + 0.05, -1,
                      changes);
    };
    const auto tracksOf = [&](const std::vector<float>& x) {
      return drum ? test::harmonicTracks(x, kRate, hz, 6000.0, 1, 0.08)
                  : test::harmonicTracks(x, kRate, hz, 6000.0);
    };
    const std::vector<float> held = render(60.0);
    if (test::rmsDb(held, 0, held.size()) < -90.0) {
      worst.silentKeys += " " + std::to_string(key);
      continue;
    }
    ++worst.keys;
    const auto heldTracks = tracksOf(held);
    std::size_t from = frame(0.8), to = frame(hold);
    if (drum) {
      // From 30 ms after the loudest 10 ms until the principal has fallen 30 dB.
      const auto& principal = heldTracks[0];
      std::size_t peak = 0;
      for (std::size_t n = 0; n < frame(0.2); ++n)
        if (principal.amplitude[n] > principal.amplitude[peak]) peak = n;
      from = peak + frame(0.03);
      to = from;
      while (to < frame(hold) && principal.amplitude[to] >= 0.0316 * principal.amplitude[from])
        ++to;
    }
    double heldCents = 0.0;
    switch (preset.reading) {
      case Reading::kHeld:
        heldCents = cents(test::harmonicsCentreHz(heldTracks, from, to), hz);
        break;
      case Reading::kDrum:
        heldCents = cents(test::harmonicsMeanHz(heldTracks, from, to), hz);
        break;
      case Reading::kSung: {
        const auto still = tracksOf(render(60.0, {{"choir.vibrato", 0.0f}}));
        const auto one = tracksOf(render(60.0, {{"choir.singers", 1.0f}}));
        const double detuned = cents(test::harmonicsCentreHz(still, from, to), hz);
        const double vibrato = cents(test::harmonicsMeanHz(one, from, to), hz);
        heldCents = std::fabs(detuned) >= std::fabs(vibrato) ? detuned : vibrato;
        break;
      }
    }
    const double noteOff = drum ? 0.5 : hold;
    const auto releasedTracks = tracksOf(render(noteOff, preset.noteOffChanges));
    const auto keptTracks =
        preset.noteOffChanges.empty() ? heldTracks : tracksOf(render(60.0, preset.noteOffChanges));
    const double released = test::harmonicsShiftCents(
        keptTracks, releasedTracks, frame(noteOff + 0.005), frame(noteOff + after), 30.0);
    if (drum && key > 72) {
      --worst.keys;
      std::ostringstream reading;
      reading << " " << key << ": " << std::lround(heldCents) << " cents, rings "
              << static_cast<double>(std::lround(100.0 * (to - from) / kRate)) / 100.0 << " s;";
      worst.outside += reading.str();
      continue;
    }
    const std::string name = preset.name;
    CAPTURE(name);
    CAPTURE(key);
    CHECK(std::fabs(heldCents) <= 2.0);
    CHECK(std::fabs(released) <= 2.0);
    keepWorst(heldCents, key, worst.held, worst.heldKey);
    keepWorst(released, key, worst.released, worst.releasedKey);
  }
  return worst;
}

}  // namespace

TEST_CASE(
    "keyboard: the bowed crystal presets sing their principal within 2 cents over MIDI 36-96, held "
    "and released") {
  checkPitch(
      {"instruments/clockwork-violin", "instruments/glass-harmonica", "instruments/ice-violin"});
}

TEST_CASE(
    "keyboard: the struck and shattered crystal presets ring their principal within 2 cents over "
    "MIDI 36-96") {
  checkPitch({"instruments/mirror-shards", "instruments/singing-bowl", "instruments/spiral-crystal",
              "instruments/water-drop"});
}

TEST_CASE(
    "keyboard: every note 21-108 of every instrument preset ends: no voice, below -90 dBFS in "
    "release + T60") {
  checkEndings({"instruments/clockwork-violin", "instruments/glass-harmonica",
                "instruments/ice-violin", "instruments/mirror-shards", "instruments/singing-bowl",
                "instruments/spiral-crystal", "instruments/water-drop"});
}

TEST_CASE(
    "keyboard: every note 21-108 of every orchestra preset ends: no voice, below -90 dBFS in "
    "release + T60") {
  checkEndings({"orchestra/applause", "orchestra/audience-murmur", "orchestra/brass",
                "orchestra/brass-stabs", "orchestra/choir", "orchestra/ensemble", "orchestra/hall",
                "orchestra/heartbeat", "orchestra/oboe", "orchestra/string-tremolo",
                "orchestra/strings", "orchestra/timpani", "orchestra/tuning",
                "orchestra/wind-pads"});
}

TEST_CASE(
    "keyboard: the orchestra presets play in tune over MIDI 36-96, held and at note-off, within 2 "
    "cents") {
  const std::vector<OrchestraPreset> presets = {
      {"orchestra/brass", Reading::kHeld, {}},
      {"orchestra/brass-stabs", Reading::kHeld, {{"brass.articulation", 0.0f}}},
      {"orchestra/choir", Reading::kSung, {}},
      {"orchestra/ensemble", Reading::kHeld, {}},
      {"orchestra/hall", Reading::kHeld, {{"stabs.sustain", 1.0f}}, {{"hall.mix", 0.0f}}},
      {"orchestra/heartbeat", Reading::kDrum, {{"timpani.pattern", 0.0f}}},
      {"orchestra/oboe", Reading::kHeld, {}},
      {"orchestra/string-tremolo", Reading::kHeld, {}},
      {"orchestra/strings", Reading::kHeld, {}},
      {"orchestra/timpani", Reading::kDrum, {}},
      {"orchestra/wind-pads", Reading::kHeld, {}},
  };
  std::ostringstream table;
  double overall = 0.0;
  for (const OrchestraPreset& preset : presets) {
    const OrchestraSweep w = sweepOrchestraPitch(preset);
    table << "\n  " << preset.name << ": held " << w.held << " cents (MIDI " << w.heldKey
          << "), note-off moves it " << w.released << " cents (MIDI " << w.releasedKey << "); "
          << w.keys << " keys" << (w.silentKeys.empty() ? "" : ", silent at") << w.silentKeys
          << (w.outside.empty() ? "" : "; above the drum's compass (not judged):") << w.outside;
    overall = std::max({overall, std::fabs(w.held), std::fabs(w.released)});
    CHECK(w.keys >= (test::kSanitized ? 2 : 7));
  }
  MESSAGE("worst cents from 12-TET per orchestra preset, MIDI 36-96:" << table.str()
                                                                      << "\n  overall " << overall);
}
