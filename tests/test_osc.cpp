// OSC (`play --osc`) without the network: the address space's checks, timetags to frames on a
// deterministic clock, and what each address does to the sound, through the same Controller,
// LiveRenderer and wait-free queues the server uses. tests/live/test_live_osc.cpp sends the
// same over UDP and TCP to `reverie play`.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "arc/arc_setup.hpp"
#include "arc/composer.hpp"
#include "live/live_renderer.hpp"
#include "osc/arc_actions.hpp"
#include "osc/arc_cues.hpp"
#include "osc/osc_command.hpp"
#include "osc/osc_controller.hpp"
#include "osc/osc_server.hpp"
#include "osc/osc_time.hpp"
#include "osc/param_echo.hpp"
#include "support/arc_render.hpp"
#include "support/audio_analysis.hpp"

using namespace reverie;
using osc::Arg;

namespace {

constexpr double kRate = 48000.0;
constexpr int kBlock = 64;

/// An engine with a live renderer and an OSC controller, rendered block by block on a clock
/// that ticks exactly one block per callback (no jitter), as a sound card would ideally call.
struct OscRig {
  Engine engine;
  live::LiveRenderer renderer;
  osc::Controller controller;
  NodeId composer = kInvalidNode;
  std::vector<float> left, right;
  std::vector<osc::Outgoing> out;

  explicit OscRig(std::uint64_t seed = 1)
      : engine({kRate, 4096, seed}), renderer(engine, 1, {}), controller(renderer, kRate) {}

  NodeId tone = kInvalidNode;

  /// A sine synth "tone" heard on every channel; `mappedCc` (if >= 0) sets its level, -40..0 dB.
  void loadSine(int mappedCc = -1) {
    Graph& g = engine.graph();
    tone = g.add("synth", "tone");
    const NodeId outNode = g.add("output", "out");
    g.connect({tone, 0}, {outNode, 0});
    g.connect({tone, 1}, {outNode, 1});
    g.setParameter(tone, "waveform", 0.0f);
    g.setParameter(tone, "attack", 0.005f);
    g.setParameter(tone, "sustain", 1.0f);
    g.setParameter(tone, "detune", 0.0f);
    if (mappedCc >= 0)
      REQUIRE(g.node(tone).mapController(
          mappedCc, findParameter(g.node(tone).parameters(), "level"), -40.0f, 0.0f));
    engine.commit();
    live::Routing routing;
    for (auto& t : routing.targets) t[0] = {tone, -1};
    routing.counts.fill(1);
    renderer.setRouting(routing);
    const NodeId ids[] = {tone, outNode};
    controller.setDirectory(osc::makeDirectory(g, ids, kInvalidNode, {}));
  }
  void loadArc(const Arc& arc, std::vector<arc::ComposerCue> cues = {}) {
    const arc::ArcNodes nodes = arc::buildArc(arc, engine.graph());
    if (!cues.empty()) arc::setComposerCues(engine.graph().node(nodes.composer), std::move(cues));
    engine.commit();
    composer = nodes.composer;
    std::vector<NodeId> ids;
    for (const auto& [name, id] : nodes.ids) ids.push_back(id);
    std::vector<std::string> scenes;
    for (const Scene& s : arc.scenes) scenes.push_back(s.name);
    controller.setDirectory(osc::makeDirectory(engine.graph(), ids, composer, scenes));
  }
  std::int64_t nanosAt(std::int64_t frame) const {
    return std::llround(static_cast<double>(frame) * 1e9 / kRate) + 1'000'000'000;
  }
  void render(std::int64_t frames, int block = kBlock) {
    float l[256], r[256];
    float* channels[] = {l, r};
    for (std::int64_t done = 0; done < frames; done += block) {
      renderer.render(channels, block, nanosAt(renderer.framePosition()));
      left.insert(left.end(), l, l + block);
      right.insert(right.end(), r, r + block);
    }
  }
  void send(std::string_view address, std::vector<Arg> args, std::int64_t frame = -1) {
    controller.handle(address, args, frame, "osc.udp://localhost:9/", out);
  }
  /// The first frame whose sample stands above silence, from `from` on.
  std::int64_t firstSound(std::int64_t from) const {
    for (auto i = static_cast<std::size_t>(from); i < left.size(); ++i)
      if (std::fabs(left[i]) > 1e-6f) return static_cast<std::int64_t>(i);
    return -1;
  }
};

std::vector<Arg> ints(std::initializer_list<int> values) {
  std::vector<Arg> args;
  for (int v : values) args.push_back(Arg::integer(v));
  return args;
}

}  // namespace

TEST_CASE("osc: every address is checked, and a malformed message is refused with a reason") {
  struct Case {
    const char* address;
    std::vector<Arg> args;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"/reverie/note", ints({1, 69, 100}), true},
      {"/reverie/note", {Arg::real(16), Arg::real(0), Arg::real(127)}, true},
      {"/reverie/note", ints({0, 69, 100}), false},
      {"/reverie/note", ints({1, 128, 100}), false},
      {"/reverie/note", ints({1, 69}), false},
      {"/reverie/note", ints({1, 69, 100, 4}), false},
      {"/reverie/note", {Arg::integer(1), Arg::real(69.5), Arg::integer(100)}, false},
      {"/reverie/note", {Arg::integer(1), Arg::string("a"), Arg::integer(100)}, false},
      {"/reverie/noteoff", ints({2, 60}), true},
      {"/reverie/cc", ints({1, 1, 127}), true},
      {"/reverie/cc", ints({1, 1, 128}), false},
      {"/reverie/bend", {Arg::integer(1), Arg::real(-0.5)}, true},
      {"/reverie/bend", {Arg::integer(1), Arg::real(1.5)}, false},
      {"/reverie/bend", {Arg::integer(1), Arg::real(NAN)}, false},
      {"/reverie/param", {Arg::string("tone.level"), Arg::real(-6)}, true},
      {"/reverie/param", {Arg::string("tone"), Arg::real(-6)}, false},
      {"/reverie/param", {Arg::string("tone.level"), Arg::real(INFINITY)}, false},
      {"/reverie/preset", {Arg::string("water-drop")}, true},
      {"/reverie/preset", {Arg::string("")}, false},
      {"/reverie/tension", {Arg::real(0.7)}, true},
      {"/reverie/tension", {Arg::real(1.2)}, false},
      {"/reverie/tension/source", {Arg::string("live")}, true},
      {"/reverie/tension/source", {Arg::string("midi")}, false},
      {"/reverie/scene/next", {}, true},
      {"/reverie/scene/next", ints({1}), false},
      {"/reverie/scene/goto", {Arg::string("silence")}, true},
      {"/reverie/scene/goto", ints({3}), true},
      {"/reverie/scene/goto", ints({0}), false},
      {"/reverie/hold", ints({1}), true},
      {"/reverie/hold", ints({2}), false},
      {"/reverie/stinger", {Arg::string("shatter")}, true},
      {"/reverie/notify", ints({1}), true},
      {"/reverie/status", {}, true},
      {"/reverie/nosuch", {}, false},
      {"/reverie", {}, false},
  };
  for (const Case& c : cases) {
    const osc::Parsed parsed = osc::parseCommand(c.address, c.args);
    const std::string address = c.address;
    CAPTURE(address);
    CAPTURE(parsed.reason);
    CHECK(parsed.ok == c.ok);
    CHECK(parsed.reason.empty() == c.ok);
  }
  MESSAGE("refusal, e.g.: " << osc::parseCommand("/reverie/note", ints({1, 128, 100})).reason);
  CHECK(osc::addresses().size() == 14);
}

TEST_CASE(
    "osc: random addresses and arguments never crash the parser, and every refusal says why") {
  std::mt19937 random(14);
  std::uint64_t accepted = 0, refused = 0;
  const auto known = osc::addresses();
  for (int i = 0; i < 50000; ++i) {
    std::string address(known[random() % known.size()]);
    if (random() % 8 == 0) address.resize(random() % (address.size() + 1));
    std::vector<Arg> args;
    for (auto n = random() % 5; n > 0; --n) {
      switch (random() % 4) {
        case 0:
          args.push_back(Arg::integer(static_cast<int>(random() % 300) - 100));
          break;
        case 1:
          args.push_back(Arg::real(std::ldexp(static_cast<double>(random()), -30) - 1.0));
          break;
        case 2:
          args.push_back(Arg::string(std::string(random() % 4, "ab.c"[random() % 4])));
          break;
        default:
          args.push_back(Arg{});  // a blob, a MIDI message: a type the space does not take
      }
    }
    const osc::Parsed parsed = osc::parseCommand(address, args);
    (parsed.ok ? accepted : refused)++;
    if (!parsed.ok) REQUIRE(!parsed.reason.empty());
  }
  MESSAGE("50000 random messages: " << accepted << " accepted, " << refused << " refused");
  CHECK(accepted > 100);
  CHECK(refused > 100);
}

TEST_CASE("osc: a timetag 100 ms ahead lands on its exact frame (deterministic clock)") {
  // NTP: 1970-01-01 is 2208988800 s after NTP's epoch; half a second is fraction 2^31.
  CHECK(osc::ntpToUnixNanos(2208988800u, 0) == 0);
  CHECK(osc::ntpToUnixNanos(2208988801u, 0x80000000u) == 1'500'000'000);
  // The anchor: frame 48000 started at steady 2 s; the message arrives at steady 2.03 s, when
  // the wall clock says 1000 s; its timetag says 1000.1 s: 130 ms after the anchor.
  const live::ClockAnchor anchor{48000, 2'000'000'000, true};
  const std::int64_t frame =
      osc::frameForTimetag(anchor, kRate, 1'000'100'000'000, 1'000'000'000'000, 2'030'000'000);
  CHECK(frame == 48000 + 6240);
  // With 5 ms from rendering to the speaker, the frame that is heard at the timetag is 240
  // frames earlier (scsynth's sense of a timetag).
  CHECK(osc::frameForTimetag(anchor, kRate, 1'000'100'000'000, 1'000'000'000'000, 2'030'000'000,
                             5'000'000) == 48000 + 6240 - 240);
  CHECK(osc::frameForTimetag({}, kRate, 0, 0, 0) == -1);  // no clock yet: at once

  // End to end: the renderer's own anchor, a note bundled 100 ms ahead of "now", heard from its
  // frame on.
  OscRig rig;
  rig.loadSine();
  rig.render(4800);  // 100 ms, so the clock runs
  const live::ClockAnchor now = rig.renderer.clockAnchor();
  REQUIRE(now.valid);
  const std::int64_t nowSteady = now.nanos + 700'000;  // the message came 0.7 ms into the block
  const std::int64_t target =
      osc::frameForTimetag(now, kRate, 5'000'100'000'000, 5'000'000'000'000, nowSteady);
  rig.send("/reverie/note", ints({1, 69, 100}), target);
  rig.render(9600);
  const std::int64_t expected = now.frame + std::llround((0.0007 + 0.1) * kRate);
  // The same note given to the renderer at that frame directly (a host's timestamped MIDI):
  // the sound must start on the same sample.
  OscRig direct;
  direct.loadSine();
  for (std::int64_t block = 0; block < 14400; block += kBlock) {
    float l[kBlock], r[kBlock];
    float* channels[] = {l, r};
    std::vector<MidiEvent> events;
    if (expected >= block && expected < block + kBlock)
      events.push_back(MidiEvent::noteOn(static_cast<std::uint32_t>(expected - block), 0, 69, 100));
    direct.renderer.render(channels, kBlock, events);
    direct.left.insert(direct.left.end(), l, l + kBlock);
  }
  const std::int64_t heard = rig.firstSound(0), reference = direct.firstSound(0);
  MESSAGE("bundle 100 ms ahead: target frame " << expected << "; first sample heard at " << heard
                                               << ", the same note placed directly at " << reference
                                               << " (" << heard - reference << " frames apart)");
  CHECK(target == expected);
  CHECK(heard > expected);
  CHECK(heard == reference);
  CHECK(rig.renderer.lateEvents() == 0);

  // A timetag already past plays at the next block's start and is counted late.
  rig.send("/reverie/note", ints({1, 81, 100}), rig.renderer.framePosition() - 100);
  rig.render(kBlock);
  CHECK(rig.renderer.lateEvents() == 1);
}

TEST_CASE("osc: a note plays at its pitch, a parameter changes the sound, a bad message nothing") {
  auto play = [](bool withBadMessages, bool quieter) {
    auto owned = std::make_unique<OscRig>();
    OscRig& rig = *owned;
    rig.loadSine();
    if (withBadMessages) {
      rig.send("/reverie/note", ints({1, 200, 100}));
      rig.send("/reverie/note", ints({17, 69, 100}));
      rig.send("/reverie/param", {Arg::string("tone.nosuch"), Arg::real(1)});
      rig.send("/reverie/param", {Arg::string("nobody.level"), Arg::real(1)});
      rig.send("/reverie/tension", {Arg::real(0.5)});  // no arc runs
      rig.send("/reverie/hold", ints({1}));
      rig.send("/nosuch", {});
    }
    rig.send("/reverie/note", ints({1, 69, 100}));
    rig.render(24000);
    if (quieter) rig.send("/reverie/param", {Arg::string("tone.level"), Arg::real(-30.0)});
    rig.render(24000);
    return owned;
  };
  const auto plain = play(false, false);
  const double hz = test::fundamentalHz(std::span(plain->left).subspan(4800, 16384), kRate, 440.0);
  MESSAGE("/reverie/note 1 69 100: " << hz << " Hz");
  CHECK(std::fabs(test::centsBetween(hz, 440.0)) < 2.0);

  const auto bad = play(true, false);
  std::size_t refusals = 0;
  for (const osc::Outgoing& o : bad->out) {
    if (o.address != "/reverie/fail") continue;
    ++refusals;
    MESSAGE("/reverie/fail " << o.args[0].text << " \"" << o.args[1].text << "\"");
  }
  CHECK(refusals == 7);
  CHECK(bad->controller.failures() == 7);
  CHECK(bad->left == plain->left);  // bit-identical: the refused messages changed nothing

  const auto quiet = play(false, true);
  const double before = test::rmsDb(quiet->left, 12000, 24000);
  const double after = test::rmsDb(quiet->left, 36000, 48000);
  MESSAGE("/reverie/param tone.level -30: " << before << " dB -> " << after << " dB");
  CHECK(after < before - 10.0);
}

TEST_CASE("osc: /reverie/tension changes the composer's output") {
  const Arc& arc = test::arcNamed("clockwork");
  auto perform = [&](double tension) {
    OscRig rig;
    rig.loadArc(arc);
    rig.send("/reverie/tension", {Arg::real(tension)});
    rig.render(static_cast<std::int64_t>(8 * kRate));
    return rig.left;
  };
  const std::vector<float> calm = perform(0.0), tense = perform(1.0);
  const double calmRough = test::normalizedRoughness(calm, kRate);
  const double tenseRough = test::normalizedRoughness(tense, kRate);
  const double calmOnsets = test::onsetRate(calm, kRate),
               tenseOnsets = test::onsetRate(tense, kRate);
  MESSAGE("clockwork, 8 s: tension 0 -> roughness " << calmRough << ", onsets/s " << calmOnsets
                                                    << "; tension 1 -> roughness " << tenseRough
                                                    << ", onsets/s " << tenseOnsets);
  CHECK(calm != tense);
  CHECK(tenseRough > calmRough);
}

TEST_CASE("osc: /reverie/scene/goto lands on the next bar line") {
  const Arc& arc = test::arcNamed("clockwork");
  OscRig rig;
  rig.loadArc(arc);
  osc::ArcCues cues(arc, kRate);
  const Timeline& timeline = cues.timeline();
  const std::int64_t cueFrame = std::llround(3.1 * kRate);  // in bar 2 of 8 (1.75 s each)
  std::int64_t landed = -1;
  int sceneBefore = 0;
  while (rig.renderer.framePosition() < std::llround(6.0 * kRate)) {
    if (rig.renderer.framePosition() >= cueFrame &&
        cueFrame + kBlock > rig.renderer.framePosition()) {
      osc::Status status;
      status.scene = cues.scene();
      rig.controller.publish(status);
      rig.send("/reverie/scene/goto", {Arg::string("lifting-the-machine")});
    }
    rig.render(kBlock);
    const int scene = arc::composerScene(rig.engine.graph().node(rig.composer));
    cues.update(scene, rig.renderer.framePosition());
    if (scene != sceneBefore && landed < 0) landed = rig.renderer.framePosition();
    sceneBefore = scene;
  }
  const auto nextBar = static_cast<std::int64_t>(timeline.barFrame(0, 2));  // 3.5 s
  MESSAGE("goto cued at frame " << cueFrame << "; scene 2 began in the block ending at " << landed
                                << "; the next bar line is frame " << nextBar
                                << "; tracked scene start " << cues.sceneStart());
  CHECK(landed - kBlock <= nextBar);  // the bar line falls in the block where the scene changed
  CHECK(nextBar < landed);
  CHECK(cues.scene() == 1);
  CHECK(cues.sceneStart() == nextBar);

  // Backwards: refused with a reason, nothing changes.
  osc::Status status;
  status.scene = cues.scene();
  rig.controller.publish(status);
  rig.out.clear();
  rig.send("/reverie/scene/goto", ints({1}));
  REQUIRE(rig.out.size() == 1);
  CHECK(rig.out[0].address == "/reverie/fail");
  CHECK(rig.controller.takeRequests().empty());
}

TEST_CASE("osc: a full queue to the audio thread drops, counts and answers; the rest still play") {
  OscRig rig;
  rig.loadSine();
  for (int i = 0; i < 6000; ++i) rig.send("/reverie/note", ints({1, 40 + i % 40, 100}));
  const std::uint64_t dropped = rig.renderer.droppedMessages();
  std::size_t full = 0;
  for (const osc::Outgoing& o : rig.out)
    full += o.address == "/reverie/fail" && o.args[1].text.find("full") != std::string::npos;
  rig.render(kBlock);
  MESSAGE("6000 notes with no block rendered: " << dropped << " dropped and answered " << full
                                                << " times; " << rig.renderer.notesPlayed()
                                                << " played in the next block");
  CHECK(dropped > 1000);
  CHECK(full == dropped);
  CHECK(rig.renderer.notesPlayed() + dropped == 6000);
}

TEST_CASE("osc: /reverie/bend moves the pitch, /reverie/cc reaches the node (CC7 volume)") {
  OscRig rig;
  rig.loadSine();
  rig.send("/reverie/note", ints({1, 69, 100}));
  rig.render(19200);
  rig.send("/reverie/bend", {Arg::integer(1), Arg::real(1.0)});
  rig.render(19200);
  rig.send("/reverie/cc", ints({1, 7, 16}));
  rig.render(19200);
  const double straight =
      test::fundamentalHz(std::span(rig.left).subspan(2400, 16384), kRate, 440.0);
  const double expected = 440.0 * std::exp2(2.0 / 12.0);  // the synth's default range: 2 semitones
  const double bent =
      test::fundamentalHz(std::span(rig.left).subspan(19200 + 2400, 16384), kRate, expected);
  const double before = test::rmsDb(rig.left, 19200 + 4800, 38400);
  const double after = test::rmsDb(rig.left, 38400 + 9600, 57600);
  MESSAGE("/reverie/bend 1 1.0: " << straight << " Hz -> " << bent << " Hz (expected " << expected
                                  << "); /reverie/cc 1 7 16: " << before << " dB -> " << after
                                  << " dB");
  CHECK(std::fabs(test::centsBetween(straight, 440.0)) < 2.0);
  CHECK(std::fabs(test::centsBetween(bent, expected)) < 2.0);
  CHECK(after < before - 6.0);
}

TEST_CASE("osc: /reverie/stinger fires over the music, /reverie/hold keeps the scene playing") {
  const Arc& arc = test::arcNamed("clockwork");
  // A shatter fired 2 s in: the audio is the plain performance's until it lands.
  auto perform = [&](bool fire) {
    OscRig rig;
    rig.loadArc(arc);
    rig.render(static_cast<std::int64_t>(2 * kRate));
    if (fire) rig.send("/reverie/stinger", {Arg::string("shatter")});
    rig.render(static_cast<std::int64_t>(3 * kRate));
    return rig.left;
  };
  const std::vector<float> plain = perform(false), fired = perform(true);
  REQUIRE(plain.size() == fired.size());
  std::size_t first = 0;
  while (first < plain.size() && plain[first] == fired[first]) ++first;
  double plainEnergy = 0.0, firedEnergy = 0.0;
  for (std::size_t i = first; i < plain.size(); ++i) {
    plainEnergy += static_cast<double>(plain[i]) * plain[i];
    firedEnergy += static_cast<double>(fired[i]) * fired[i];
  }
  const double gainDb = 10.0 * std::log10(firedEnergy / std::max(plainEnergy, 1e-30));
  MESSAGE("shatter fired at 2.0 s: the audio first differs at " << first / kRate << " s, then "
                                                                << gainDb << " dB louder");
  CHECK(first >= static_cast<std::size_t>(2 * kRate));
  CHECK(first < static_cast<std::size_t>(3 * kRate));
  CHECK(gainDb > 3.0);

  // An unknown stinger: refused with the list, nothing queued.
  {
    OscRig rig;
    rig.loadArc(arc);
    rig.send("/reverie/stinger", {Arg::string("shater")});
    REQUIRE(rig.out.size() == 1);
    CHECK(rig.out[0].address == "/reverie/fail");
  }

  // Held from the start, the first scene (8 bars, 14 s) is still playing at 18 s; not held,
  // the composer has moved on.
  auto sceneAt18 = [&](bool hold) {
    OscRig rig;
    rig.loadArc(arc);
    if (hold) rig.send("/reverie/hold", ints({1}));
    rig.render(static_cast<std::int64_t>(18 * kRate));
    return arc::composerScene(rig.engine.graph().node(rig.composer));
  };
  const int held = sceneAt18(true), free = sceneAt18(false);
  MESSAGE("scene at 18 s: held " << held << ", not held " << free);
  CHECK(held == 0);
  CHECK(free >= 1);
}

namespace {

/// Every change the echo holds, drained.
std::vector<osc::ParameterChange> drain(osc::ParameterEcho& echo) {
  std::vector<osc::ParameterChange> changes;
  osc::ParameterChange c;
  while (echo.pop(c)) changes.push_back(c);
  return changes;
}

}  // namespace

TEST_CASE("osc: every parameter change is echoed, whatever made it (MIDI CC, OSC, the composer)") {
  // A MIDI controller mapped to a parameter, and /reverie/param.
  OscRig rig;
  rig.loadSine(74);
  osc::ParameterEcho echo;
  rig.engine.setObserver(&echo);
  echo.setEnabled(true);
  rig.render(kBlock);
  CHECK(drain(echo).empty());  // the first sight of each node is a baseline, not news
  const int level = findParameter(rig.engine.graph().node(rig.tone).parameters(), "level");
  const int cutoff = findParameter(rig.engine.graph().node(rig.tone).parameters(), "cutoff");
  // As a MIDI input thread hands it over (placed by its arrival time, a block later).
  auto controller = [&](int value) {
    REQUIRE(rig.renderer.receive(0, {rig.nanosAt(rig.renderer.framePosition()),
                                     midi::Message{0xB0, 74, static_cast<std::uint8_t>(value)}}));
  };
  controller(64);
  rig.render(3 * kBlock);
  const std::vector<osc::ParameterChange> fromMidi = drain(echo);
  REQUIRE(fromMidi.size() == 1);
  const float expected = -40.0f + 40.0f * 64.0f / 127.0f;
  MESSAGE("MIDI CC74 64 (mapped to tone.level, -40..0 dB) echoed as "
          << rig.controller.parameterName(fromMidi[0].node, fromMidi[0].index) << " "
          << fromMidi[0].value << " (mapped value " << expected << ")");
  CHECK(fromMidi[0].node == rig.tone);
  CHECK(fromMidi[0].index == level);
  CHECK(fromMidi[0].value == doctest::Approx(expected).epsilon(1e-5));
  CHECK(rig.controller.parameterName(rig.tone, level) == "tone.level");
  rig.send("/reverie/param", {Arg::string("tone.cutoff"), Arg::real(1234.0)});
  rig.render(kBlock);
  const std::vector<osc::ParameterChange> fromOsc = drain(echo);
  REQUIRE(fromOsc.size() == 1);
  CHECK(fromOsc[0].index == cutoff);
  CHECK(fromOsc[0].value == 1234.0f);
  // Off (nobody subscribed), the audio thread publishes nothing.
  echo.setEnabled(false);
  controller(100);
  rig.render(3 * kBlock);
  CHECK(drain(echo).empty());

  // The arc's composer: its automation and section controllers, echoed as set.
  OscRig arcRig;
  arcRig.loadArc(test::arcNamed("clockwork"));
  osc::ParameterEcho arcEcho;
  arcRig.engine.setObserver(&arcEcho);
  arcEcho.setEnabled(true);
  std::map<std::pair<NodeId, int>, float> last;
  std::size_t changes = 0;
  for (int block = 0; block < 3000; ++block) {  // 4 s
    arcRig.render(kBlock);
    for (const osc::ParameterChange& c : drain(arcEcho)) {
      last[{c.node, c.index}] = c.value;
      ++changes;
    }
  }
  std::size_t named = 0, agree = 0;
  std::string example;
  for (const auto& [key, value] : last) {
    const std::string name = arcRig.controller.parameterName(key.first, key.second);
    named += !name.empty() && key.first != arcRig.composer;
    if (example.empty() && key.first != arcRig.composer) example = name;
    // The echo says what the node holds now.
    agree += arcRig.engine.graph().node(key.first).parameterTarget(key.second) == value;
  }
  MESSAGE("clockwork, 4 s: " << changes << " changes echoed over " << last.size() << " parameters ("
                             << named << " of the arc's nodes, e.g. " << example << "); " << agree
                             << " equal to the node's value at the end; " << arcEcho.dropped()
                             << " dropped");
  CHECK(named >= 2);
  CHECK(agree == last.size());
  CHECK(arcEcho.dropped() == 0);
}

TEST_CASE("osc: a stream of changes is coalesced: at most 20 echoes a second per parameter") {
  osc::EchoThrottle throttle(50'000'000);
  std::size_t sent = 0;
  float lastSent = -1.0f, lastValue = 0.0f;
  // An LFO moving a parameter every 64 frames (750 changes a second) for 2 s; the OSC thread
  // drains every 20 ms.
  for (int i = 0; i < 1500; ++i) {
    lastValue = static_cast<float>(std::sin(i * 0.01));
    throttle.add({7, 3, lastValue});
    throttle.add({7, 4, 0.5f});  // a parameter that stays put: once
    const std::int64_t now = static_cast<std::int64_t>(i) * 1'333'333;
    if (i % 15 == 0 || i == 1499)
      for (const osc::ParameterChange& c : throttle.due(now + (i == 1499 ? 100'000'000 : 0))) {
        sent += c.index == 3;
        if (c.index == 3) lastSent = c.value;
        if (c.index == 4) CHECK(sent <= 1);
      }
  }
  MESSAGE("1500 changes in 2 s: " << sent << " echoed; the last echo " << lastSent
                                  << ", the last value " << lastValue);
  CHECK(sent <= 42);
  CHECK(sent >= 30);
  CHECK(lastSent == lastValue);
}

TEST_CASE("osc: timetagged cues land on their frame: a parameter, a stinger, a goto") {
  // A parameter: the sound first differs from the untouched performance at the frame given
  // (plus the master limiter's look-ahead, as for every sound).
  auto sine = [](std::int64_t paramFrame) {
    auto rig = std::make_unique<OscRig>();
    rig->loadSine();
    rig->send("/reverie/note", ints({1, 69, 100}));
    rig->render(4800);
    if (paramFrame >= 0)
      rig->send("/reverie/param", {Arg::string("tone.level"), Arg::real(-30.0)}, paramFrame);
    rig->render(9600);
    return rig;
  };
  const std::int64_t paramFrame = 4800 + 2400 + 37;  // mid-block
  const auto plain = sine(-1), moved = sine(paramFrame);
  std::size_t firstDiff = 0;
  while (firstDiff < plain->left.size() && plain->left[firstDiff] == moved->left[firstDiff])
    ++firstDiff;
  const int latency = plain->engine.latencyFrames();
  MESSAGE("/reverie/param for frame " << paramFrame << ": the sound first differs at " << firstDiff
                                      << " = the frame + the engine's latency (" << latency
                                      << " frames)");
  CHECK(static_cast<std::int64_t>(firstDiff) == paramFrame + latency);

  // A stinger quantised "now", for a frame mid-block: the same audio as a cue file's stinger
  // on that frame (the offline reference), bit for bit. Given to the composer in the block it
  // falls in (no split), it would fire at the next block's start instead.
  Arc arc = test::arcNamed("clockwork");
  arc.stingerQuantise[static_cast<std::size_t>(Stinger::kShatter)] = Quantise::kNow;
  const std::int64_t stingerFrame = 96000 + 29;
  auto perform = [&](int how) {  // 0: cue file, 1: OSC, 2: OSC without the split
    OscRig rig;
    arc::ComposerCue cue;
    cue.frame = static_cast<std::uint64_t>(stingerFrame);
    cue.action = arc::CueAction::kStinger;
    cue.value = static_cast<int>(Stinger::kShatter);
    rig.loadArc(arc, how == 0 ? std::vector{cue} : std::vector<arc::ComposerCue>{});
    rig.render(48000);
    if (how == 1) rig.send("/reverie/stinger", {Arg::string("shatter")}, stingerFrame);
    if (how == 2) {
      live::TimedEvent e;
      e.frame = stingerFrame;
      e.isMidi = false;
      e.node = *osc::stingerEvent(rig.composer, "shatter").event;
      REQUIRE(rig.renderer.postTimed(e));
    }
    rig.render(96000);
    return rig.left;
  };
  const std::vector<float> cued = perform(0), sent = perform(1), unsplit = perform(2);
  auto firstDifference = [](const std::vector<float>& a, const std::vector<float>& b) {
    std::size_t i = 0;
    while (i < a.size() && a[i] == b[i]) ++i;
    return i;
  };
  MESSAGE("stinger for frame " << stingerFrame << ": OSC and the cue file differ first at "
                               << firstDifference(cued, sent) << " of " << cued.size()
                               << "; without the split, at " << firstDifference(cued, unsplit));
  CHECK(sent == cued);
  CHECK(unsplit != cued);

  // A goto 10 frames before a bar line that falls inside a 128-frame block: the scene changes
  // on that bar line, not a bar later.
  auto sceneStart = [&](bool split) {
    OscRig rig;
    rig.loadArc(test::arcNamed("clockwork"));
    osc::Status status;
    status.scene = 0;
    rig.controller.publish(status);
    const Timeline timeline(test::arcNamed("clockwork"), kRate);
    const auto bar = static_cast<std::int64_t>(timeline.barFrame(0, 2));
    REQUIRE(bar % 128 != 0);
    if (split) {
      rig.send("/reverie/scene/goto", {Arg::string("lifting-the-machine")}, bar - 10);
    } else {
      live::TimedEvent e;
      e.frame = bar - 10;
      e.isMidi = false;
      e.node = {rig.composer,
                Event{0, EventType::kParameter, 0,
                      static_cast<std::uint16_t>(arc::composer_parameter::kGoto), 2.0f}};
      REQUIRE(rig.renderer.postTimed(e));
    }
    rig.render(bar + 4 * 48000, 128);
    return std::pair{bar, static_cast<std::int64_t>(
                              arc::composerSceneStart(rig.engine.graph().node(rig.composer)))};
  };
  const auto [bar, landed] = sceneStart(true);
  const auto [bar2, unsplitLanded] = sceneStart(false);
  MESSAGE("goto for 10 frames before the bar line at "
          << bar << ": scene 2 starts at " << landed << "; without the split at " << unsplitLanded);
  CHECK(landed == bar);
  CHECK(unsplitLanded > bar2);
}

namespace {

/// A liblo socket of the test's own (UDP, or TCP with SLIP framing) that keeps what arrives.
struct Listener {
  struct Got {
    std::string address;
    int protocol = 0;
    std::vector<std::string> text;
    std::vector<double> numbers;
  };
  lo_server server;
  std::vector<Got> got;
  explicit Listener(int protocol) : server(lo_server_new_with_proto(nullptr, protocol, nullptr)) {
    REQUIRE(server != nullptr);
    lo_server_add_method(
        server, nullptr, nullptr,
        [](const char* path, const char* types, lo_arg** argv, int argc, lo_message m, void* self) {
          const lo_address source = lo_message_get_source(m);
          Got g{path, source ? lo_address_get_protocol(source) : 0, {}, {}};
          for (int i = 0; i < argc; ++i) {
            const auto* bytes = reinterpret_cast<const char*>(argv[i]);
            if (types[i] == 's') g.text.emplace_back(bytes);
            if (types[i] == 'i' || types[i] == 'f') {
              std::int32_t word;
              std::memcpy(&word, bytes, sizeof word);
              float real;
              std::memcpy(&real, bytes, sizeof real);
              g.numbers.push_back(types[i] == 'i' ? static_cast<double>(word) : real);
            }
          }
          static_cast<Listener*>(self)->got.push_back(g);
          return 0;
        },
        this);
  }
  ~Listener() { lo_server_free(server); }
  const Got* find(const std::string& address) const {
    for (const Got& g : got)
      if (g.address == address) return &g;
    return nullptr;
  }
};

/// /reverie/status SLIP-framed over a plain TCP socket (not liblo): the answer's bytes as they
/// came.
std::string rawSlipStatus(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string got;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    const char packet[] = "\xC0/reverie/status\0,\0\0\0\xC0";  // 16 + 4 bytes, END on each side
    send(fd, packet, sizeof packet - 1, MSG_NOSIGNAL);
    timeval wait{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    // The answer may come in more than one segment (liblo sends the length, then the message):
    // read until the length says it is all here, or the wait runs out.
    char buffer[256];
    for (;;) {
      const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      got.append(buffer, static_cast<std::size_t>(n));
      if (got.size() >= 4) {
        const std::size_t length =
            static_cast<unsigned char>(got[0]) << 24 | static_cast<unsigned char>(got[1]) << 16 |
            static_cast<unsigned char>(got[2]) << 8 | static_cast<unsigned char>(got[3]);
        if (got.size() >= 4 + length) break;
      }
    }
  }
  close(fd);
  return got;
}

}  // namespace

TEST_CASE("osc: over TCP (SLIP) /reverie/status is answered on its connection; echo over UDP") {
  OscRig rig;
  rig.loadSine(74);
  osc::ParameterEcho echo;
  rig.engine.setObserver(&echo);
  osc::Status status;
  status.voices = 3;
  status.cpuLoad = 0.25;
  status.xruns = 2;
  status.dropped = 5;
  status.late = 1;
  rig.controller.publish(status);
  int port = 41000 + static_cast<int>(getpid() % 20000);
  std::unique_ptr<osc::Server> server;
  for (int attempt = 0; attempt < 20 && !server; ++attempt, ++port) {
    try {
      server = std::make_unique<osc::Server>(port, rig.controller, rig.renderer, kRate, 0.0, &echo);
    } catch (const std::exception& e) {
      MESSAGE(e.what());
    }
  }
  REQUIRE(server != nullptr);
  const std::string service = std::to_string(port - 1);

  // TCP, SLIP-framed: the answer comes back over the connection the question came on (the
  // test's TCP socket has no other way in).
  Listener tcp(LO_TCP);
  lo_address tcpTarget = lo_address_new_with_proto(LO_TCP, "127.0.0.1", service.c_str());
  REQUIRE(lo_address_set_stream_slip(tcpTarget, 1) == 0);
  lo_message question = lo_message_new();
  REQUIRE(lo_send_message_from(tcpTarget, tcp.server, "/reverie/status", question) > 0);
  lo_message_free(question);
  // UDP: a subscriber, then a MIDI controller mapped to tone.level.
  Listener udp(LO_UDP);
  lo_address udpTarget = lo_address_new("127.0.0.1", service.c_str());
  lo_message subscribe = lo_message_new();
  lo_message_add_int32(subscribe, 1);
  lo_send_message_from(udpTarget, udp.server, "/reverie/notify", subscribe);
  lo_message_free(subscribe);
  const auto start = std::chrono::steady_clock::now();
  bool sentController = false;
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(3) &&
         (tcp.find("/reverie/status") == nullptr || udp.find("/reverie/param") == nullptr)) {
    if (!sentController && server->received() >= 2) {  // subscribed: move the controller
      REQUIRE(rig.renderer.receive(
          0, {rig.nanosAt(rig.renderer.framePosition()), midi::Message{0xB0, 74, 64}}));
      sentController = true;
    }
    rig.render(kBlock);
    lo_server_recv_noblock(tcp.server, 1);
    lo_server_recv_noblock(udp.server, 1);
  }
  lo_address_free(tcpTarget);
  lo_address_free(udpTarget);
  // liblo's default stream framing (length-prefixed) is answered too; a plain SLIP client gets
  // its answer length-prefixed, as liblo writes it (see README).
  Listener plain(LO_TCP);
  lo_address plainTarget = lo_address_new_with_proto(LO_TCP, "127.0.0.1", service.c_str());
  lo_send_from(plainTarget, plain.server, LO_TT_IMMEDIATE, "/reverie/status", "");
  for (int i = 0; i < 300 && plain.find("/reverie/status") == nullptr; ++i)
    lo_server_recv_noblock(plain.server, 10);
  lo_address_free(plainTarget);
  const std::string raw = rawSlipStatus(port - 1);
  server.reset();
  CHECK(plain.find("/reverie/status") != nullptr);
  REQUIRE(raw.size() > 20);
  const std::size_t length =
      static_cast<unsigned char>(raw[0]) << 24 | static_cast<unsigned char>(raw[1]) << 16 |
      static_cast<unsigned char>(raw[2]) << 8 | static_cast<unsigned char>(raw[3]);
  MESSAGE("plain SLIP client: answer of " << raw.size() << " bytes: a length " << length
                                          << ", then '" << raw.substr(4, 15) << "'");
  CHECK(length == raw.size() - 4);
  CHECK(raw.substr(4, 15) == "/reverie/status");

  const Listener::Got* answer = tcp.find("/reverie/status");
  REQUIRE(answer != nullptr);
  MESSAGE("/reverie/status over TCP: answered over "
          << std::string(answer->protocol == LO_TCP ? "TCP" : "not TCP") << ": voices "
          << answer->numbers.at(0) << " cpu " << answer->numbers.at(1) << " xruns "
          << answer->numbers.at(2) << " dropped " << answer->numbers.at(3) << " late "
          << answer->numbers.at(4));
  CHECK(answer->protocol == LO_TCP);
  CHECK(answer->numbers == std::vector<double>{3, 0.25, 2, 5, 1});
  const Listener::Got* echoed = udp.find("/reverie/param");
  REQUIRE(echoed != nullptr);
  MESSAGE("MIDI CC74 64 echoed to the UDP subscriber: /reverie/param " << echoed->text.at(0) << " "
                                                                       << echoed->numbers.at(0));
  CHECK(echoed->text.at(0) == "tone.level");
  CHECK(echoed->numbers.at(0) == doctest::Approx(-40.0 + 40.0 * 64.0 / 127.0).epsilon(1e-5));
}
