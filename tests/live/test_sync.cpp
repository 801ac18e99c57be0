// `play --sync jack` and `--clock-out` under a dummy JACK server: the test is JACK's timebase
// master (a tempo map of its own: 100 bpm, then 140), and
// - the Transport a JackTransportSource hands an Engine, cycle by cycle in a JACK client as
//   play's callback does, keeps the master's bar lines within one period;
// - `reverie play --sync jack --clock-out PORT` says it follows, and sends 24 clocks a quarter
//   note at each tempo, with start and stop, to a MIDI input of the test;
// - an arc's composer fed that way changes scene on JACK's bar lines, within one period;
// - `reverie play --sync midi` follows MIDI clock sent to its port.
#include <doctest/doctest.h>
#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/transport.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "arc/arc_setup.hpp"
#include "arc/composer.hpp"
#include "live/jack_rig.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "support/command.hpp"
#include "sync/jack_transport.hpp"

using namespace reverie;
using namespace std::chrono_literals;
using test::Child;

namespace {

constexpr double kRate = 48000.0;
constexpr jack_nframes_t kPeriod = 256;

/// The test's tempo map: `first` bpm up to beat `changeBeat`, `second` after; `beatsPerBar`.
struct TempoMap {
  double first = 100.0, second = 140.0, changeBeat = 6.0, beatsPerBar = 2.0;
  double changeFrame() const { return changeBeat * 60.0 / first * kRate; }
  double beatAt(double frame) const {
    return frame < changeFrame() ? frame * first / (60.0 * kRate)
                                 : changeBeat + (frame - changeFrame()) * second / (60.0 * kRate);
  }
  double frameOf(double beat) const {
    return beat < changeBeat ? beat * 60.0 / first * kRate
                             : changeFrame() + (beat - changeBeat) * 60.0 / second * kRate;
  }
  double bpmAt(double frame) const { return frame < changeFrame() ? first : second; }
};

/// The timebase master: bar, beat and tick from the tempo map, for the frame JACK asks about.
void timebase(jack_transport_state_t, jack_nframes_t, jack_position_t* pos, int, void* map) {
  const auto& m = *static_cast<const TempoMap*>(map);
  const double beat = m.beatAt(pos->frame);
  const double bar = std::floor(beat / m.beatsPerBar);
  const double inBar = beat - bar * m.beatsPerBar;
  pos->valid = JackPositionBBT;
  pos->bar = static_cast<std::int32_t>(bar) + 1;
  pos->beat = static_cast<std::int32_t>(inBar) + 1;
  pos->ticks_per_beat = 1920.0;
  pos->tick = static_cast<std::int32_t>((inBar - std::floor(inBar)) * 1920.0);
  pos->bar_start_tick = bar * m.beatsPerBar * 1920.0;
  pos->beats_per_bar = static_cast<float>(m.beatsPerBar);
  pos->beat_type = 4.0f;
  pos->beats_per_minute = m.bpmAt(pos->frame);
}

/// One cycle as the follower saw it: the transport frame, and the engine's Transport.
struct Seen {
  jack_nframes_t frame = 0;
  Transport transport;
};

/// A client doing what play's callback does: the source's Transport into the engine, then
/// render. Records what the engine holds at each cycle's first frame.
struct Follower {
  jack_client_t* client = nullptr;
  sync::JackTransportSource* source = nullptr;
  Engine* engine = nullptr;
  std::vector<float> left, right;
  std::vector<Seen> seen;  // sized before activation
  std::atomic<std::size_t> count{0};
  static int process(jack_nframes_t frames, void* self) {
    auto& f = *static_cast<Follower*>(self);
    if (const auto t = f.source->transport(static_cast<int>(frames), 0)) f.engine->setTransport(*t);
    jack_position_t pos{};
    jack_transport_query(f.client, &pos);
    const std::size_t n = f.count.load(std::memory_order_relaxed);
    if (n < f.seen.size()) {
      f.seen[n] = {pos.frame, f.engine->transport()};
      f.count.store(n + 1, std::memory_order_release);
    }
    float* out[2] = {f.left.data(), f.right.data()};
    f.engine->process(out, static_cast<int>(frames));
    return 0;
  }
};

}  // namespace

namespace {

/// Closes the test's follower client and its timebase master (before the server stops: libjack's
/// thread of a client whose server went away crashes at exit).
void closeFollowerAndMaster(jack_client_t* follower, jack_client_t* master) {
  jack_deactivate(follower);
  jack_client_close(follower);
  jack_deactivate(master);
  jack_release_timebase(master);
  jack_client_close(master);
}

}  // namespace

TEST_CASE("live sync: JACK transport at 100 then 140 bpm, followed on JACK's bar lines") {
  test::ScratchFolder folder;
  Child jackd = test::startDummyServer("reverie-sync", folder.path(), {.periodFrames = kPeriod});
  jack_client_t* master = test::connectClient("reverie-sync");
  REQUIRE_MESSAGE(master != nullptr, test::readText(folder / "jackd.log"));
  TempoMap map;
  REQUIRE(jack_set_timebase_callback(master, 0, timebase, &map) == 0);
  REQUIRE(jack_activate(master) == 0);
  jack_transport_locate(master, 0);

  Engine engine({kRate, 4096, 1});
  // Closed with the test's clients, before the server stops: libjack's thread of a client
  // whose server went away crashes at exit.
  auto source = std::make_unique<sync::JackTransportSource>(kRate);
  Follower follower;
  follower.client = test::connectClient("reverie-sync");
  REQUIRE(follower.client != nullptr);
  follower.source = source.get();
  follower.engine = &engine;
  follower.left.resize(8192);
  follower.right.resize(8192);
  follower.seen.resize(static_cast<std::size_t>(12.0 * kRate / kPeriod));
  jack_set_process_callback(follower.client, Follower::process, &follower);
  REQUIRE(jack_activate(follower.client) == 0);
  std::this_thread::sleep_for(300ms);
  jack_transport_start(master);
  // Three bars at 100 bpm (3.6 s), three at 140 (2.6 s).
  std::this_thread::sleep_for(
      std::chrono::milliseconds(static_cast<int>(1000.0 * map.frameOf(2.0 * 2 * 3) / kRate) + 300));
  jack_transport_stop(master);
  std::this_thread::sleep_for(300ms);
  closeFollowerAndMaster(follower.client, master);
  source.reset();

  const std::size_t n = follower.count.load(std::memory_order_acquire);
  REQUIRE(n > 100);
  const std::vector<Seen> seen(follower.seen.begin(), follower.seen.begin() + static_cast<long>(n));
  CHECK_FALSE(seen.front().transport.rolling);  // before the start
  CHECK_FALSE(seen.back().transport.rolling);   // after the stop
  int bars = 0, rollingCycles = 0;
  double worstBarFrames = 0.0, worstBeatFrames = 0.0;
  bool heard100 = false, heard140 = false;
  for (std::size_t i = 1; i < n; ++i) {
    const Transport& a = seen[i - 1].transport;
    const Transport& b = seen[i].transport;
    CHECK(b.external);
    if (!b.rolling) continue;
    ++rollingCycles;
    heard100 |= b.beatsPerMinute == 100.0;
    heard140 |= b.beatsPerMinute == 140.0;
    CHECK(b.beatsPerBar == 2.0);
    // Where the engine puts the cycle's first frame, against the master's map.
    worstBeatFrames = std::max(worstBeatFrames, std::fabs(b.beat - map.beatAt(seen[i].frame)) *
                                                    60.0 / b.beatsPerMinute * kRate);
    if (!a.rolling) continue;
    const double barA = std::floor(a.beat / a.beatsPerBar),
                 barB = std::floor(b.beat / b.beatsPerBar);
    if (barB <= barA) continue;
    // The follower's bar line: reached from the earlier cycle at its tempo.
    const double lineBeat = barB * b.beatsPerBar;
    const double followed =
        seen[i - 1].frame + (lineBeat - a.beat) * 60.0 / a.beatsPerMinute * kRate;
    const double error = std::fabs(followed - map.frameOf(lineBeat));
    worstBarFrames = std::max(worstBarFrames, error);
    ++bars;
    CHECK_MESSAGE(error <= kPeriod, "bar " << barB << " off by " << error << " frames");
  }
  MESSAGE("JACK transport 100 -> 140 bpm: "
          << bars << " bar lines followed, worst " << worstBarFrames
          << " frames off JACK's (period " << kPeriod << "); worst cycle start " << worstBeatFrames
          << " frames off over " << rollingCycles << " rolling cycles");
  CHECK(bars >= 5);
  CHECK(heard100);
  CHECK(heard140);
  // JACK's timebase master writes the position for the next cycle: one that runs late leaves
  // a cycle with the previous position, one period off (plus the master's tick, 1/1920 beat).
  CHECK(worstBeatFrames <= kPeriod + 60.0 / 100.0 * kRate / 1920.0);
  jackd.stop(SIGTERM);
}

namespace {

/// The master of the second test, with a MIDI input that records what reaches it.
struct ClockListener {
  jack_client_t* client = nullptr;
  jack_port_t* in = nullptr;
  struct Got {
    jack_nframes_t frame;
    unsigned char status;
  };
  std::vector<Got> got;  // sized before activation
  std::atomic<std::size_t> count{0};
  /// Connects to the server, with the input port "clock_in" (not yet active); its full name.
  std::string open(const char* server) {
    client = test::connectClient(server);
    if (client == nullptr) return {};
    in = jack_port_register(client, "clock_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
    got.resize(4096);
    jack_set_process_callback(client, process, this);
    return std::string(jack_get_client_name(client)) + ":clock_in";
  }
  /// What came, once the client is deactivated.
  std::vector<Got> received() const {
    return {got.begin(), got.begin() + static_cast<long>(count.load(std::memory_order_acquire))};
  }
  /// The first message that is not a clock (the start), or nothing.
  static std::optional<Got> firstOther(const std::vector<Got>& got) {
    const auto it = std::find_if(got.begin(), got.end(), [](auto& g) { return g.status != 0xF8; });
    return it == got.end() ? std::nullopt : std::optional<Got>(*it);
  }
  static int process(jack_nframes_t frames, void* self) {
    auto& l = *static_cast<ClockListener*>(self);
    void* buffer = jack_port_get_buffer(l.in, frames);
    const jack_nframes_t start = jack_last_frame_time(l.client);
    const std::uint32_t events = jack_midi_get_event_count(buffer);
    for (std::uint32_t e = 0; e < events; ++e) {
      jack_midi_event_t event;
      if (jack_midi_event_get(&event, buffer, e) != 0 || event.size < 1) continue;
      const std::size_t n = l.count.load(std::memory_order_relaxed);
      if (n >= l.got.size()) break;
      l.got[n] = {start + event.time, event.buffer[0]};
      l.count.store(n + 1, std::memory_order_release);
    }
    return 0;
  }
};

/// Clocks a quarter note, from the clocks sent between two frames (mean spacing).
double clocksPerQuarter(const std::vector<ClockListener::Got>& got, double from, double to,
                        double bpm, int& counted) {
  std::vector<double> frames;
  for (const auto& g : got)
    if (g.status == 0xF8 && g.frame >= from && g.frame < to) frames.push_back(g.frame);
  counted = static_cast<int>(frames.size());
  if (frames.size() < 10) return 0.0;
  const double spacing = (frames.back() - frames.front()) / static_cast<double>(frames.size() - 1);
  return 60.0 * kRate / (bpm * spacing);
}

}  // namespace

TEST_CASE("live sync: play --sync jack follows JACK and --clock-out sends 24 ppqn at its tempo") {
  test::ScratchFolder folder;
  Child jackd = test::startDummyServer("reverie-sync2", folder.path(), {.periodFrames = kPeriod});
  test::writeSinePatch(folder / "sine.toml");
  ClockListener listener;
  const std::string port = listener.open("reverie-sync2");
  REQUIRE_MESSAGE(!port.empty(), test::readText(folder / "jackd.log"));
  TempoMap map;
  map.changeBeat = 4.0;
  map.beatsPerBar = 4.0;
  REQUIRE(jack_set_timebase_callback(listener.client, 0, timebase, &map) == 0);
  REQUIRE(jack_activate(listener.client) == 0);
  jack_transport_locate(listener.client, 0);
  Child reverie({REVERIE_CLI_PATH, "play", (folder / "sine.toml").string(), "--host-api", "jack",
                 "--midi-api", "jack", "--midi-input", "none", "--sync", "jack", "--clock-out",
                 port, "--seconds", "20"},
                folder / "reverie.log");
  REQUIRE_MESSAGE(test::waitForPort(listener.client, "reverie:out_0", 15s),
                  test::readText(folder / "reverie.log"));
  for (int i = 0; i < 50 && test::connectionsOf(listener.client, port.c_str()).empty(); ++i)
    std::this_thread::sleep_for(100ms);
  std::this_thread::sleep_for(300ms);
  const jack_nframes_t started = jack_frame_time(listener.client);
  jack_transport_start(listener.client);
  // Four beats at 100 bpm (2.4 s), then 140 bpm for 2 s.
  std::this_thread::sleep_for(4400ms);
  jack_transport_stop(listener.client);
  std::this_thread::sleep_for(500ms);
  const jack_nframes_t stopped = jack_frame_time(listener.client);
  const int status = reverie.stop(SIGINT);
  jack_deactivate(listener.client);
  jack_release_timebase(listener.client);
  const std::string log = test::readText(folder / "reverie.log");
  INFO(log);
  CHECK(status == 0);
  CHECK(log.find("following JACK transport") != std::string::npos);
  CHECK(log.find("MIDI clock out to " + port) != std::string::npos);
  CHECK(log.find("rolling, 140.0 bpm") != std::string::npos);

  const std::vector<ClockListener::Got> got = listener.received();
  // Start before the first clock, stop at the end; clocks only while rolling.
  const auto first = ClockListener::firstOther(got);
  REQUIRE(first.has_value());
  CHECK(first->status == 0xFA);
  CHECK(got.back().status == 0xFC);
  // The tempo change lands at frame changeFrame after the start (plus the start's cycle or so):
  // measure clear of it.
  const double change = started + map.changeFrame();
  int at100 = 0, at140 = 0;
  const double ppqn100 =
      clocksPerQuarter(got, started + 0.3 * kRate, change - 0.2 * kRate, 100.0, at100);
  const double ppqn140 =
      clocksPerQuarter(got, change + 0.3 * kRate, stopped - 0.7 * kRate, 140.0, at140);
  MESSAGE("clock out: " << ppqn100 << " clocks a quarter at 100 bpm (" << at100 << " clocks), "
                        << ppqn140 << " at 140 bpm (" << at140 << "); first other status "
                        << int(first->status) << ", last " << int(got.back().status));
  CHECK(ppqn100 == doctest::Approx(24.0).epsilon(0.01));
  CHECK(ppqn140 == doctest::Approx(24.0).epsilon(0.01));
  jack_client_close(listener.client);
  jackd.stop(SIGTERM);
}

TEST_CASE("live sync: play --sync midi follows MIDI clock at 120 bpm with +-2 ms of jitter") {
  test::ScratchFolder folder;
  Child jackd = test::startDummyServer("reverie-sync3", folder.path(), {.periodFrames = kPeriod});
  test::writeSinePatch(folder / "sine.toml");
  test::Rig rig;
  rig.client = test::connectClient("reverie-sync3");
  REQUIRE_MESSAGE(rig.client != nullptr, test::readText(folder / "jackd.log"));
  Child reverie({REVERIE_CLI_PATH, "play", (folder / "sine.toml").string(), "--host-api", "jack",
                 "--midi-api", "jack", "--sync", "midi", "--seconds", "20"},
                folder / "reverie.log");
  const bool ready = test::waitForPort(rig.client, "reverie-midi:reverie", 15s) &&
                     test::waitForPort(rig.client, "reverie:out_0", 5s);
  REQUIRE_MESSAGE(ready, test::readText(folder / "reverie.log"));
  // A master that sends clock while stopped (two beats), starts, plays 3 s at 120 bpm with
  // +-2 ms of jitter on every clock, and stops.
  std::mt19937 random(14);
  std::uniform_real_distribution<double> jitter(-0.002, 0.002);
  const double tick = 60.0 / (120.0 * 24.0);
  auto at = [&](int n) {
    return static_cast<jack_nframes_t>((0.2 + n * tick + jitter(random)) * kRate);
  };
  int n = 0;
  for (; n < 48; ++n) rig.notes.push_back({at(n), {0xF8, 0, 0}, 1});
  rig.notes.push_back({at(n) - 100, {0xFA, 0, 0}, 1});
  for (; n < 48 + 144; ++n) rig.notes.push_back({at(n), {0xF8, 0, 0}, 1});
  rig.notes.push_back({at(n) - 100, {0xFC, 0, 0}, 1});
  rig.midiOut =
      jack_port_register(rig.client, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
  jack_set_process_callback(rig.client, &test::Rig::process, &rig);
  REQUIRE(jack_activate(rig.client) == 0);
  const std::string out = std::string(jack_get_client_name(rig.client)) + ":midi_out";
  REQUIRE(jack_connect(rig.client, out.c_str(), "reverie-midi:reverie") == 0);
  std::this_thread::sleep_for(300ms);
  rig.startFrame = jack_frame_time(rig.client) + kPeriod;
  rig.recording = true;
  std::this_thread::sleep_for(
      std::chrono::milliseconds(static_cast<int>(1000 * (0.2 + n * tick)) + 1000));
  const int status = reverie.stop(SIGINT);
  jack_deactivate(rig.client);
  jack_client_close(rig.client);
  const std::string log = test::readText(folder / "reverie.log");
  INFO(log);
  CHECK(status == 0);
  CHECK(rig.sent.load() == rig.notes.size());
  CHECK(log.find("following MIDI clock") != std::string::npos);
  // The status lines: "sync: MIDI clock rolling, 120.1 bpm, ..." then "... stopped, ...".
  std::vector<double> rollingBpm;
  bool stoppedAfter = false;
  for (std::size_t p = log.find("MIDI clock rolling, "); p != std::string::npos;
       p = log.find("MIDI clock rolling, ", p + 1))
    rollingBpm.push_back(std::stod(log.substr(p + 20)));
  const std::size_t lastRolling = log.rfind("MIDI clock rolling, ");
  stoppedAfter = lastRolling != std::string::npos &&
                 log.find("MIDI clock stopped, ", lastRolling) != std::string::npos;
  REQUIRE_FALSE(rollingBpm.empty());
  double worst = 0.0;
  for (double bpm : rollingBpm) worst = std::max(worst, std::fabs(bpm - 120.0));
  MESSAGE("play --sync midi: " << rollingBpm.size() << " rolling status lines, worst " << worst
                               << " bpm off 120; stopped after: " << stoppedAfter);
  CHECK(worst < 0.5);
  CHECK(stoppedAfter);
  jackd.stop(SIGTERM);
}

namespace {

/// play's callback with an arc: the source's Transport into the engine, render, and note the
/// cycle in which the composer's scene changed.
struct ArcFollower {
  jack_client_t* client = nullptr;
  sync::JackTransportSource* source = nullptr;
  Engine* engine = nullptr;
  const Node* composer = nullptr;
  std::vector<float> left, right;
  struct Change {
    jack_nframes_t cycleFrame;  // the transport frame of the cycle it happened in
    int scene;
  };
  std::vector<Change> changes;  // sized before activation
  std::atomic<std::size_t> count{0};
  int scene = 0;
  static int process(jack_nframes_t frames, void* self) {
    auto& f = *static_cast<ArcFollower*>(self);
    if (const auto t = f.source->transport(static_cast<int>(frames), 0)) f.engine->setTransport(*t);
    jack_position_t pos{};
    jack_transport_query(f.client, &pos);
    float* out[2] = {f.left.data(), f.right.data()};
    f.engine->process(out, static_cast<int>(frames));
    const int now = arc::composerScene(*f.composer);
    const std::size_t n = f.count.load(std::memory_order_relaxed);
    if (now != f.scene && n < f.changes.size()) {
      f.changes[n] = {pos.frame, now};
      f.count.store(n + 1, std::memory_order_release);
    }
    f.scene = now;
    return 0;
  }
};

}  // namespace

TEST_CASE("live sync: an arc under JACK transport at 100 then 140 bpm changes scene on its bars") {
  test::ScratchFolder folder;
  // Eight one-bar scenes in 2/4, on the clockwork workshop's strings.
  std::string text =
      "format_version = 1\npatch = \"clockwork-workshop\"\n[music]\ntempo = 120\nmeter = "
      "\"2/4\"\nkey = \"A\"\nmode = \"minor\"\n";
  for (int i = 0; i < 8; ++i)
    text += "[[scene]]\nname = \"s" + std::to_string(i) +
            "\"\nbars = 1\ntension = 0.5\ndynamics = 0.5\ndensity = 0.5\nsections = "
            "[\"strings\"]\ntexture = [\"chorale\"]\n";
  // The patch is found on the shipped presets' path (startDummyServer sets it too, later).
  setenv("REVERIE_PRESET_PATH", (std::string(REVERIE_SOURCE_DIR) + "/presets").c_str(), 1);
  const Arc arc = parseArc(text, "sync-bars");
  Engine engine({kRate, 4096, 1});
  const arc::ArcNodes nodes = arc::buildArc(arc, engine.graph(), "arc-");
  engine.commit();

  Child jackd = test::startDummyServer("reverie-sync4", folder.path(), {.periodFrames = kPeriod});
  jack_client_t* master = test::connectClient("reverie-sync4");
  REQUIRE_MESSAGE(master != nullptr, test::readText(folder / "jackd.log"));
  TempoMap map;  // 100 bpm for three bars of 2/4, then 140
  REQUIRE(jack_set_timebase_callback(master, 0, timebase, &map) == 0);
  REQUIRE(jack_activate(master) == 0);
  jack_transport_locate(master, 0);
  // Closed with the test's clients, before the server stops: libjack's thread of a client
  // whose server went away crashes at exit.
  auto source = std::make_unique<sync::JackTransportSource>(kRate);
  ArcFollower follower;
  follower.client = test::connectClient("reverie-sync4");
  REQUIRE(follower.client != nullptr);
  follower.source = source.get();
  follower.engine = &engine;
  follower.composer = &engine.graph().node(nodes.composer);
  follower.left.resize(8192);
  follower.right.resize(8192);
  follower.changes.resize(64);
  jack_set_process_callback(follower.client, ArcFollower::process, &follower);
  REQUIRE(jack_activate(follower.client) == 0);
  std::this_thread::sleep_for(300ms);
  jack_transport_start(master);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(static_cast<int>(1000.0 * map.frameOf(2.0 * 6.5) / kRate) + 300));
  jack_transport_stop(master);
  closeFollowerAndMaster(follower.client, master);
  source.reset();

  const std::size_t n = follower.count.load(std::memory_order_acquire);
  int onBar = 0;
  double worst = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& c = follower.changes[i];
    // Scene s starts on bar line s (2 beats a bar): within the cycle it was seen in.
    const double line = map.frameOf(2.0 * c.scene);
    const double into = line - c.cycleFrame;
    worst = std::max(worst, std::fabs(into));
    const bool inCycle = into >= 0.0 && into < kPeriod;
    onBar += inCycle;
    CHECK_MESSAGE(inCycle, "scene " << c.scene << ": bar line " << into
                                    << " frames from the start of the cycle it began in");
  }
  MESSAGE("arc under JACK transport 100 -> 140 bpm: " << onBar << " of " << n
                                                      << " scene changes inside the period of "
                                                         "their bar line (at most "
                                                      << worst << " frames into it)");
  CHECK(n >= 5);
  jackd.stop(SIGTERM);
}

TEST_CASE("live sync: play --arc --clock-out sends 24 ppqn at the arc's own tempo") {
  test::ScratchFolder folder;
  Child jackd = test::startDummyServer("reverie-sync5", folder.path(), {.periodFrames = kPeriod});
  test::writeSinePatch(folder / "sine.toml");
  ClockListener listener;
  const std::string port = listener.open("reverie-sync5");
  REQUIRE_MESSAGE(!port.empty(), test::readText(folder / "jackd.log"));
  REQUIRE(jack_activate(listener.client) == 0);
  // clockwork's first scene: 120 quarter notes a minute (in 7/8).
  Child reverie({REVERIE_CLI_PATH, "play", (folder / "sine.toml").string(), "--host-api", "jack",
                 "--midi-api", "jack", "--midi-input", "none", "--arc", "clockwork", "--clock-out",
                 port, "--seconds", "20"},
                folder / "reverie.log");
  REQUIRE_MESSAGE(test::waitForPort(listener.client, "reverie:out_0", 15s),
                  test::readText(folder / "reverie.log"));
  std::this_thread::sleep_for(3s);
  const int status = reverie.stop(SIGINT);
  std::this_thread::sleep_for(100ms);
  jack_deactivate(listener.client);
  const std::string log = test::readText(folder / "reverie.log");
  INFO(log);
  CHECK(status == 0);
  CHECK(log.find("at the arc's tempo") != std::string::npos);
  const std::vector<ClockListener::Got> got = listener.received();
  REQUIRE(got.size() > 20);
  const auto first = ClockListener::firstOther(got);
  REQUIRE(first.has_value());
  CHECK(first->status == 0xFA);
  CHECK(got.back().status == 0xFC);  // sent as play stops
  int counted = 0;
  const double ppqn = clocksPerQuarter(got, 0.0, 4e9, 120.0, counted);
  MESSAGE("clock out at the arc's tempo: " << ppqn << " clocks a quarter at 120 bpm (" << counted
                                           << " clocks); first other status " << int(first->status)
                                           << ", last " << int(got.back().status));
  CHECK(ppqn == doctest::Approx(24.0).epsilon(0.01));
  jack_client_close(listener.client);
  jackd.stop(SIGTERM);
}
