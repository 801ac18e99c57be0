// `play --sync midi`'s threads: a MIDI input thread feeding clock, start, stop, continue and song
// position through LiveRenderer to the tracker, the audio thread asking the source for each
// block's Transport and handing it to the engine, and the control thread reading the status.
// The audio thread must neither allocate nor lock (and ThreadSanitizer checks the hand-off).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "live/live_renderer.hpp"
#include "realtime/alloc_trap.hpp"
#include "reverie/engine.hpp"
#include "sync/midi_clock.hpp"

using namespace reverie;

namespace {
std::int64_t nowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

TEST_CASE(
    "sync: MIDI clock into the engine's Transport, no allocation or lock on the audio "
    "thread") {
  Engine engine({48000.0, 4096, 1});
  live::LiveRenderer renderer(engine, 1, {});
  sync::MidiClockSource source(48000.0, 0.005);
  renderer.setClockListener(&source.tracker());
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> blocks{0}, rollingBlocks{0};
  test::resetViolations();
  std::thread audio([&] {
    test::setAudioThread(true);
    float left[256], right[256];
    float* channels[] = {left, right};
    while (!stop.load()) {
      const std::int64_t now = nowNanos();
      if (const auto t = source.transport(256, now)) engine.setTransport(*t);
      renderer.render(channels, 256, now);
      blocks.fetch_add(1);
      if (engine.transport().rolling) rollingBlocks.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    test::setAudioThread(false);
  });
  std::atomic<bool> midiDone{false};
  std::thread midi([&] {
    // 2 s of clock at 600 bpm (a clock every 4.2 ms), with a start, a stop, a song position
    // and a continue along the way.
    for (int i = 0; i < 480; ++i) {
      if (i == 10) renderer.receive(0, {nowNanos(), {0xFA, 0, 0}});
      if (i == 200) renderer.receive(0, {nowNanos(), {0xFC, 0, 0}});
      if (i == 220) renderer.receive(0, {nowNanos(), {0xF2, 16, 0}});
      if (i == 240) renderer.receive(0, {nowNanos(), {0xFB, 0, 0}});
      renderer.receive(0, {nowNanos(), {0xF8, 0, 0}});
      std::this_thread::sleep_for(std::chrono::microseconds(4167));
    }
    midiDone = true;
  });
  int rollingLines = 0;
  while (!midiDone.load()) {  // the control thread's status line, meanwhile
    rollingLines += source.describe().find("rolling") != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  midi.join();
  stop = true;
  audio.join();
  MESSAGE(blocks.load() << " blocks, " << rollingBlocks.load() << " rolling; engine at "
                        << engine.transport().beatsPerMinute << " bpm; allocations "
                        << test::allocationViolations() << ", locks " << test::lockViolations()
                        << " on the audio thread (libc trapped: " << test::trapsLibc() << ")");
  CHECK(rollingBlocks.load() > 0);
  CHECK(rollingLines > 0);
  CHECK(engine.transport().external);
  CHECK(test::allocationViolations() == 0);
  CHECK(test::lockViolations() == 0);
  CHECK(renderer.droppedMessages() == 0);
}
