// `play --sync link`: reverie's Link source and a second Link peer of the test's own, on this
// machine's network (Link discovers peers by UDP multicast), agree on tempo and bar phase, and
// start and stop together; and `reverie play --sync link`, a process of its own, joins the
// test's session and follows its tempo and its stop.
#include <doctest/doctest.h>

#if REVERIE_SYNC_LINK
#include <ableton/Link.hpp>
#include <chrono>
#include <cmath>
#include <thread>

#include "live/jack_rig.hpp"
#include "support/command.hpp"
#include "sync/link_session.hpp"

using namespace std::chrono_literals;

namespace {

constexpr double kRate = 48000.0;
constexpr double kQuantum = 4.0;

/// Waits up to `limit` for `done`.
template <class F>
bool within(std::chrono::milliseconds limit, F&& done) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

std::int64_t nanos(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
std::int64_t nanosNow() {
  return nanos(std::chrono::steady_clock::now());
}

}  // namespace

TEST_CASE("live sync: two Link peers agree on tempo and bar phase, start and stop together") {
  reverie::sync::LinkSource source(kRate, 0.0, kQuantum, 120.0);
  ableton::Link peer(100.0);
  peer.enableStartStopSync(true);
  peer.enable(true);
  const bool found = within(5000ms, [&] { return peer.numPeers() >= 1 && source.peers() >= 1; });
  REQUIRE_MESSAGE(found, "the Link peers did not find each other in 5 s (no multicast route?)");

  // The test's peer sets the tempo; reverie's source follows it.
  auto state = peer.captureAppSessionState();
  state.setTempo(133.0, peer.clock().micros());
  peer.commitAppSessionState(state);
  auto transport = source.transport(480, nanosNow());
  const bool followed = within(2000ms, [&] {
    transport = source.transport(480, nanosNow());
    return std::fabs(transport->beatsPerMinute - 133.0) < 1e-3;  // Link keeps microseconds a beat
  });
  REQUIRE_MESSAGE(followed, "reverie's Link source at " << transport->beatsPerMinute
                                                        << " bpm, the peer at "
                                                        << peer.captureAppSessionState().tempo());
  CHECK(transport->external);
  CHECK(transport->rolling);  // reverie started the session when it joined

  // Bar phase: reverie's beat against the peer's, read at the same moment, every 10 ms for a
  // second once the source has settled (half a second) (the source is asked as an audio callback
  // would be: 480 frames, every 10 ms on average, as a sound card's clock calls it).
  double worstMs = 0.0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 150; ++i) {
    const auto callback = start + i * 10ms;
    std::this_thread::sleep_until(callback);
    const auto t = source.transport(480, nanos(callback));
    // The peer's phase at the callback's time, on Link's clock.
    const auto late = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - callback);
    const double theirs =
        peer.captureAppSessionState().phaseAtTime(peer.clock().micros() - late, kQuantum);
    double difference = std::fmod(t->beat - theirs, kQuantum);
    if (difference > kQuantum / 2) difference -= kQuantum;
    if (difference < -kQuantum / 2) difference += kQuantum;
    if (i >= 50) worstMs = std::max(worstMs, std::fabs(difference) * 60000.0 / t->beatsPerMinute);
  }
  MESSAGE("Link: " << source.peers() << " peer, tempo " << transport->beatsPerMinute
                   << " bpm, worst bar-phase difference " << worstMs << " ms");
  CHECK(worstMs < 1.0);

  // The peer stops the session: reverie stops; it starts it again: reverie rolls.
  state = peer.captureAppSessionState();
  state.setIsPlaying(false, peer.clock().micros());
  peer.commitAppSessionState(state);
  CHECK(within(2000ms, [&] { return !source.transport(480, nanosNow())->rolling; }));
  state = peer.captureAppSessionState();
  state.setIsPlaying(true, peer.clock().micros());
  peer.commitAppSessionState(state);
  CHECK(within(2000ms, [&] { return source.transport(480, nanosNow())->rolling; }));
  const auto restarted = source.transport(480, nanosNow());
  CHECK(restarted->beat >= 0.0);
  CHECK(restarted->beat < kQuantum);  // a song starts at the bar line where the session did
  MESSAGE("Link: restarted at song beat " << restarted->beat);
}

TEST_CASE(
    "live sync: reverie play --sync link joins a peer's session, follows tempo, stop, start") {
  reverie::test::ScratchFolder folder;
  reverie::test::Child jackd = reverie::test::startDummyServer("reverie-link", folder.path());
  jack_client_t* watcher = reverie::test::connectClient("reverie-link");
  REQUIRE_MESSAGE(watcher != nullptr, reverie::test::readText(folder / "jackd.log"));
  ableton::Link peer(100.0);
  peer.enableStartStopSync(true);
  peer.enable(true);
  reverie::test::writeSinePatch(folder / "sine.toml");
  reverie::test::Child reverie(
      {REVERIE_CLI_PATH, "play", (folder / "sine.toml").string(), "--host-api", "jack",
       "--midi-input", "none", "--sync", "link", "--seconds", "20"},
      folder / "reverie.log");
  REQUIRE_MESSAGE(reverie::test::waitForPort(watcher, "reverie:out_0", 15s),
                  reverie::test::readText(folder / "reverie.log"));
  CHECK(within(5000ms, [&] { return peer.numPeers() >= 1; }));
  // reverie rolls from its start (Link shares start/stop changes, not the state a peer joins
  // with); the peer's tempo and then its stop and start reach it.
  auto state = peer.captureAppSessionState();
  state.setTempo(133.0, peer.clock().micros());
  peer.commitAppSessionState(state);
  const auto logHas = [&](const char* text) {
    return reverie::test::readText(folder / "reverie.log").find(text) != std::string::npos;
  };
  CHECK(within(3000ms, [&] { return logHas("Link rolling, 133.0 bpm"); }));
  state = peer.captureAppSessionState();
  state.setIsPlaying(false, peer.clock().micros());
  peer.commitAppSessionState(state);
  CHECK(within(3000ms, [&] { return logHas("Link stopped, 133.0 bpm"); }));
  state = peer.captureAppSessionState();
  state.setIsPlaying(true, peer.clock().micros());
  peer.commitAppSessionState(state);
  CHECK(within(3000ms, [&] {
    const std::string log = reverie::test::readText(folder / "reverie.log");
    return log.find("Link rolling", log.find("Link stopped")) != std::string::npos;
  }));
  const int status = reverie.stop(SIGINT);
  const std::string log = reverie::test::readText(folder / "reverie.log");
  MESSAGE("reverie play --sync link beside the test's peer:\n" << log);
  CHECK(status == 0);
  jack_client_close(watcher);
  jackd.stop(SIGTERM);
}
#endif
