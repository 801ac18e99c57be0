// `play --sync midi`: the MIDI clock tracker follows a jittery clock's tempo and phase, obeys
// start, stop, continue and song position, and reaches the engine as a Transport.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "live/live_renderer.hpp"
#include "sync/midi_clock.hpp"

using reverie::midi::Message;
using reverie::sync::MidiClockTracker;

namespace {

constexpr double kTickNanos120 = 60e9 / (120.0 * 24.0);

struct ClockSender {
  MidiClockTracker& tracker;
  double nanos = 1e9;  // the ideal time of the next tick
  std::mt19937 random{14};
  double jitterNanos = 0.0;
  /// Sends `ticks` clocks at `bpm`, each off its ideal time by up to +-jitter; after each, runs
  /// `check(ideal time, snapshot)`.
  template <class Check>
  void send(int ticks, double bpm, Check&& check) {
    std::uniform_real_distribution<double> jitter(-jitterNanos, jitterNanos);
    for (int i = 0; i < ticks; ++i) {
      const double ideal = nanos;
      tracker.clock({0xF8, 0, 0}, static_cast<std::int64_t>(ideal + jitter(random)));
      MidiClockTracker::Snapshot s;
      REQUIRE(tracker.read(s));
      check(ideal, s);
      nanos += 60e9 / (bpm * 24.0);
    }
  }
  void send(int ticks, double bpm) {
    send(ticks, bpm, [](double, const MidiClockTracker::Snapshot&) {});
  }
};

MidiClockTracker::Snapshot now(const MidiClockTracker& tracker) {
  MidiClockTracker::Snapshot s;
  REQUIRE(tracker.read(s));
  return s;
}

}  // namespace

TEST_CASE("MIDI clock: 120 bpm with +-2 ms of jitter is tracked within 0.5 bpm, in phase") {
  MidiClockTracker tracker;
  ClockSender sender{tracker};
  sender.jitterNanos = 2e6;
  tracker.clock({0xFA, 0, 0}, static_cast<std::int64_t>(sender.nanos - 1e6));
  double worstBpm = 0.0, worstPhaseMs = 0.0;
  int tick = 0;
  // 20 s of clock: after the first two beats (the window fills) every estimate counts.
  sender.send(960, 120.0, [&](double ideal, const MidiClockTracker::Snapshot& s) {
    CHECK(s.rolling);
    if (tick++ < MidiClockTracker::kWindow) return;
    worstBpm = std::max(worstBpm, std::fabs(s.beatsPerMinute() - 120.0));
    // Where the tracker puts the ideal tick (beat (tick - 1) / 24), against where it is.
    const double beatError = s.beatAt(ideal) - (tick - 1) / 24.0;
    worstPhaseMs = std::max(worstPhaseMs, std::fabs(beatError) * 500.0);
  });
  MESSAGE("120 bpm, +-2 ms jitter: worst tempo error " << worstBpm << " bpm, worst phase error "
                                                       << worstPhaseMs << " ms");
  CHECK(worstBpm < 0.5);
  CHECK(worstPhaseMs < 2.0);
  CHECK(worstBpm > 0.0);  // the jitter was there to smooth
}

TEST_CASE("MIDI clock: a tempo change from 120 to 140 bpm is followed within two beats") {
  MidiClockTracker tracker;
  ClockSender sender{tracker};
  sender.jitterNanos = 2e6;
  tracker.clock({0xFA, 0, 0}, 0);
  sender.send(240, 120.0);
  double worst = 0.0;
  int tick = 0;
  sender.send(240, 140.0, [&](double, const MidiClockTracker::Snapshot& s) {
    if (++tick > 48) worst = std::max(worst, std::fabs(s.beatsPerMinute() - 140.0));
  });
  MESSAGE("after 120 -> 140 bpm, from two beats on: worst tempo error " << worst << " bpm");
  CHECK(worst < 0.5);
}

TEST_CASE("MIDI clock: start, stop, continue and song position are obeyed") {
  MidiClockTracker tracker;
  ClockSender sender{tracker};
  // A master sends clock while stopped: the tempo is known, the song does not move.
  sender.send(48, 120.0);
  MidiClockTracker::Snapshot s = now(tracker);
  CHECK_FALSE(s.rolling);
  CHECK(s.beatsPerMinute() == doctest::Approx(120.0).epsilon(1e-6));
  CHECK(s.beatAt(sender.nanos) == 0.0);

  // Start: the first clock after it is beat 0; 36 clocks later the song is at beat 1.5.
  tracker.clock({0xFA, 0, 0}, static_cast<std::int64_t>(sender.nanos - 5e6));
  CHECK_FALSE(now(tracker).rolling);  // rolling from the first clock on
  const double first = sender.nanos;
  sender.send(1, 120.0);
  s = now(tracker);
  CHECK(s.rolling);
  CHECK(std::fabs(s.beatAt(first)) < 1e-6);
  sender.send(35, 120.0);
  CHECK(now(tracker).beatAt(sender.nanos) == doctest::Approx(1.5).epsilon(1e-6));

  // Stop: the song stays where the next clock would have been, however many clocks follow.
  tracker.clock({0xFC, 0, 0}, static_cast<std::int64_t>(sender.nanos - 1e6));
  sender.send(30, 120.0);
  s = now(tracker);
  CHECK_FALSE(s.rolling);
  CHECK(s.beatAt(sender.nanos) == doctest::Approx(1.5));

  // Continue: the next clock is beat 1.5, and the song moves on from there.
  tracker.clock({0xFB, 0, 0}, static_cast<std::int64_t>(sender.nanos - 1e6));
  const double resumed = sender.nanos;
  sender.send(12, 120.0);
  s = now(tracker);
  CHECK(s.rolling);
  CHECK(s.beatAt(resumed) == doctest::Approx(1.5).epsilon(1e-6));
  CHECK(s.beatAt(sender.nanos) == doctest::Approx(2.0).epsilon(1e-6));

  // Song position while stopped: 16ths, 14 bits (bar 33 = 512 16ths = beat 128).
  tracker.clock({0xFC, 0, 0}, static_cast<std::int64_t>(sender.nanos - 1e6));
  tracker.clock({0xF2, 0x00, 0x04}, static_cast<std::int64_t>(sender.nanos - 1e6));
  CHECK(now(tracker).beatAt(sender.nanos) == doctest::Approx(128.0));
  tracker.clock({0xFB, 0, 0}, static_cast<std::int64_t>(sender.nanos - 1e6));
  const double placed = sender.nanos;
  sender.send(6, 120.0);
  CHECK(now(tracker).beatAt(placed) == doctest::Approx(128.0).epsilon(1e-6));
  CHECK(now(tracker).beatAt(sender.nanos) == doctest::Approx(128.25).epsilon(1e-6));
  MESSAGE("start, stop at beat 1.5, continue, song position 512 16ths -> beat "
          << now(tracker).beatAt(placed));
}

TEST_CASE("MIDI clock: live input routes clock to the follower, and the engine gets it") {
  reverie::Engine engine({48000.0, 4096, 1});
  reverie::live::LiveRenderer renderer(engine, 2, {});
  reverie::sync::MidiClockSource source(48000.0, 0.0);
  renderer.setClockListener(&source.tracker());
  double nanos = 1e9;
  renderer.receive(0, {static_cast<std::int64_t>(nanos), Message{0xFA, 0, 0}});
  for (int i = 0; i < 96; ++i, nanos += kTickNanos120) {
    renderer.receive(0, {static_cast<std::int64_t>(nanos), Message{0xF8, 0, 0}});
    // A second input's clock is not followed: it would double the tempo.
    renderer.receive(1, {static_cast<std::int64_t>(nanos + 3e6), Message{0xF8, 0, 0}});
  }
  const auto transport = source.transport(256, static_cast<std::int64_t>(nanos));
  REQUIRE(transport.has_value());
  CHECK(transport->external);
  CHECK(transport->rolling);
  CHECK(transport->beatsPerMinute == doctest::Approx(120.0).epsilon(1e-4));
  CHECK(transport->beat == doctest::Approx(4.0).epsilon(1e-4));  // 96 clocks: the 97th's time
  engine.setTransport(*transport);
  CHECK(engine.transport().beatsPerMinute == doctest::Approx(120.0).epsilon(1e-4));
  CHECK(renderer.droppedMessages() == 0);
  MESSAGE("via LiveRenderer: " << transport->beatsPerMinute << " bpm at beat " << transport->beat);
}
