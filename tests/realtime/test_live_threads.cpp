// Live play's threads: MIDI input threads feeding LiveRenderer while the audio thread renders,
// with program-change requests and routing changes crossing back and forth. The audio thread
// must neither allocate nor lock, and nothing sent may be lost or reordered.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "live/live_renderer.hpp"
#include "realtime/alloc_trap.hpp"
#include "reverie/engine.hpp"

using namespace reverie;

TEST_CASE(
    "live: two MIDI threads and the audio thread, no allocation or lock, every program request "
    "delivered") {
  Engine engine({48000.0, 4096, 1});
  const NodeId synth = engine.graph().add("synth", "tone");
  const NodeId crystal = engine.graph().add("crystal", "glass");
  const NodeId out = engine.graph().add("output", "out");
  for (NodeId n : {synth, crystal}) {
    engine.graph().connect({n, 0}, {out, 0});
    engine.graph().connect({n, 1}, {out, 1});
  }
  engine.commit();
  live::LiveRenderer renderer(engine, 2, {});
  live::Routing routing;
  for (int c = 0; c < 16; ++c) {
    routing.targets[static_cast<std::size_t>(c)][0] = {synth, -1};
    routing.targets[static_cast<std::size_t>(c)][1] = {crystal, 15};
    routing.counts[static_cast<std::size_t>(c)] = 2;
  }
  REQUIRE(renderer.setRouting(routing));

  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> blocks{0};
  test::resetViolations();
  std::thread audio([&] {
    test::setAudioThread(true);
    float left[256], right[256];
    float* channels[] = {left, right};
    while (!stop.load()) {
      const auto now = std::chrono::steady_clock::now().time_since_epoch();
      renderer.render(channels, 256,
                      std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
      blocks.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    test::setAudioThread(false);
  });
  constexpr int kMessages = 3000;
  auto midiThread = [&](int input) {
    for (int i = 0; i < kMessages; ++i) {
      const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now().time_since_epoch())
                           .count();
      const std::uint8_t key = static_cast<std::uint8_t>(36 + (i * 7 + input * 3) % 60);
      midi::Message m{static_cast<std::uint8_t>(0x90 | input), key,
                      static_cast<std::uint8_t>(i % 2 ? 0 : 90)};
      if (i % 37 == 0)
        m = {static_cast<std::uint8_t>(0xE0 | input), static_cast<std::uint8_t>(i % 128), 0x40};
      if (i % 100 == 99)
        m = {static_cast<std::uint8_t>(0xC0 | input), static_cast<std::uint8_t>(i / 100 % 128), 0};
      while (!renderer.receive(input, {now, m})) std::this_thread::yield();
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  };
  std::thread a(midiThread, 0), b(midiThread, 1);
  std::uint64_t programs = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (programs < 60 && std::chrono::steady_clock::now() < deadline) {
    midi::Translator::ProgramRequest request;
    std::uint64_t count = 0;
    if (renderer.latestProgramRequest(request, count)) {
      programs += count;             // the last of them is acted on; all are counted
      renderer.setRouting(routing);  // what a program change does: new routing
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  a.join();
  b.join();
  stop = true;
  audio.join();
  MESSAGE(blocks.load() << " blocks rendered; " << programs
                        << " program requests came back; allocations "
                        << test::allocationViolations() << ", locks " << test::lockViolations()
                        << " on the audio thread (libc trapped: " << test::trapsLibc() << ")");
  CHECK(programs == 60);  // 30 from each input
  CHECK(test::allocationViolations() == 0);
  CHECK(test::lockViolations() == 0);
  CHECK(renderer.droppedMessages() == 0);
}
