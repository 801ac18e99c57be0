// reverie::Instrument's three kinds of thread at once: the audio thread renders with
// frame-stamped events and reads the meters, another thread posts notes, and the control thread
// swaps presets back and forth (building each off the audio thread, freeing the old there).
// The audio thread must neither allocate nor lock, and every posted note must be played.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "realtime/alloc_trap.hpp"
#include "reverie/instrument.hpp"

using namespace reverie;

TEST_CASE("instrument: audio, posting and control threads together, no allocation or lock") {
  const std::string presets = std::string(REVERIE_SOURCE_DIR) + "/presets/";
  Instrument instrument(presets + "instruments/glass-harmonica.toml", {48000.0, 256, 1});
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> blocks{0};
  float loudest = 0.0f;
  test::resetViolations();
  std::thread audio([&] {
    test::setAudioThread(true);
    float left[256], right[256];
    float* channels[] = {left, right};
    std::uint32_t block = 0;
    while (!stop.load()) {
      // A chord every 16 blocks, released 8 blocks later, at frame offsets inside the block.
      const MidiEvent events[] = {MidiEvent::noteOn(17, 0, 60, 90),
                                  MidiEvent::noteOn(200, 0, 64, 90)};
      const MidiEvent offs[] = {MidiEvent::noteOff(5, 0, 60), MidiEvent::noteOff(250, 0, 64)};
      if (block % 16 == 0)
        instrument.process(channels, 256, events);
      else if (block % 16 == 8)
        instrument.process(channels, 256, offs);
      else
        instrument.process(channels, 256);
      const InstrumentMeters meters = instrument.meters();
      if (meters.peak[0] > loudest) loudest = meters.peak[0];
      ++block;
      blocks.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    test::setAudioThread(false);
  });
  constexpr int kPosted = 400;
  std::thread poster([&] {
    for (int i = 0; i < kPosted; ++i) {
      const int key = 48 + i % 24;
      while (!instrument.post(MidiEvent::noteOn(static_cast<std::uint32_t>(i % 256), 1, key, 80)))
        std::this_thread::yield();
      while (!instrument.post(MidiEvent::noteOff(255, 1, key))) std::this_thread::yield();
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  });
  const char* swaps[] = {"orchestra/oboe", "instruments/glass-harmonica", "orchestra/strings",
                         "instruments/singing-bowl"};
  for (const char* name : swaps) {
    instrument.load(presets + name + ".toml");
    for (int i = 0; i < 10; ++i) {
      instrument.update();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  poster.join();
  // Let the audio thread take what was posted last, then stop it.
  const std::uint64_t seen = blocks.load();
  while (blocks.load() < seen + 4) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  stop = true;
  audio.join();
  instrument.update();
  const InstrumentMeters meters = instrument.meters();
  MESSAGE(blocks.load() << " blocks; " << meters.notesPlayed << " notes played, " << meters.swaps
                        << " swaps, loudest block " << loudest << "; allocations "
                        << test::allocationViolations() << ", locks " << test::lockViolations()
                        << " on the audio thread (libc trapped: " << test::trapsLibc() << ")");
  CHECK(test::allocationViolations() == 0);
  CHECK(test::lockViolations() == 0);
  CHECK(meters.droppedEvents == 0);
  CHECK(meters.notesPlayed >= kPosted);  // every posted note, plus the audio thread's chords
  CHECK(meters.swaps >= 5);              // the first preset and four loads
  CHECK(loudest > 0.0f);
  CHECK(loudest < 1.0f);
  CHECK(meters.nonFiniteSamples == 0);
}
