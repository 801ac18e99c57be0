// The plugin's process callback, through DPF's CLAP wrapper in the CLAP host, on a thread the
// allocation and lock trap watches (tests/realtime/alloc_trap.hpp): notes at frame offsets,
// while the host's main thread changes the preset by state three times and restores a saved
// state, and a MIDI program change makes the plugin's control thread load another.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>

#include "plugin/clap_host.hpp"
#include "realtime/alloc_trap.hpp"

namespace reverie::test {

using namespace std::chrono_literals;

TEST_CASE("plugin: the process callback allocates and locks nothing through preset changes") {
  ClapInstance plugin;
  StateBytes first = presetState("glass-harmonica");
  REQUIRE(plugin.load(first));
  plugin.start(256);
  const clap_event_midi_t chord[] = {clapMidi(17, {0x90, 60, 90}), clapMidi(200, {0x90, 64, 90})};
  const clap_event_midi_t release[] = {clapMidi(5, {0x80, 60, 0}), clapMidi(250, {0x80, 64, 0})};
  // Program 4 (the fifth preset of `reverie presets`, arcs left out): loaded by the plugin's
  // control thread, not by this one.
  const clap_event_midi_t program[] = {clapMidi(100, {0xC0, 4, 0})};
  std::atomic<bool> stop{false}, sendProgram{false};
  std::atomic<std::uint64_t> blocks{0};
  float loudest = 0.0f;
  resetViolations();
  std::thread audio([&] {
    setAudioThread(true);
    float left[256], right[256];
    for (std::uint32_t block = 0; !stop.load(); ++block) {
      if (sendProgram.exchange(false))
        plugin.process(256, program, left, right);
      else if (block % 16 == 0)
        plugin.process(256, chord, left, right);
      else if (block % 16 == 8)
        plugin.process(256, release, left, right);
      else
        plugin.process(256, {}, left, right);
      for (float x : left) loudest = std::max(loudest, std::fabs(x));
      blocks.fetch_add(1);
      std::this_thread::sleep_for(300us);
    }
    setAudioThread(false);
  });
  for (const char* preset : {"strings", "singing-bowl", "oboe"}) {
    StateBytes state = presetState(preset);
    CHECK(plugin.load(state));
    std::this_thread::sleep_for(150ms);
  }
  StateBytes saved = plugin.save();
  sendProgram = true;
  std::this_thread::sleep_for(250ms);
  CHECK(plugin.load(saved));
  std::this_thread::sleep_for(150ms);
  stop = true;
  audio.join();
  MESSAGE(blocks.load() << " blocks through DPF's CLAP wrapper; loudest sample " << loudest
                        << "; allocations " << allocationViolations() << ", locks "
                        << lockViolations() << " on the audio thread (libc trapped: " << trapsLibc()
                        << ")");
  CHECK(loudest > 0.01f);
  CHECK(allocationViolations() == 0);
  CHECK(lockViolations() == 0);
}

}  // namespace reverie::test
