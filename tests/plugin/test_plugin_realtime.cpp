// The plugin's process callback, through DPF's CLAP wrapper in the CLAP host, on a thread the
// allocation and lock trap watches (tests/realtime/alloc_trap.hpp): notes at frame offsets,
// while the host's main thread changes the preset by state three times and restores a saved
// state, and a MIDI program change makes the plugin's control thread load another; and an arc
// on the host's timeline through a tempo change, song-position jumps, a stop and a loop back.
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

TEST_CASE("plugin: the process callback allocates and locks nothing as an arc follows the host") {
  ClapInstance plugin;
  StateBytes arc = presetState("the-performance");
  REQUIRE(plugin.load(arc));
  plugin.start(256);
  // The host's timeline, block by block: 92 bpm from the start, 130 bpm from block 200, a jump
  // to bar 40 at block 400 and to the arc's last bar (78) at block 600, stopped from block 700,
  // and rolling again from bar 9 (a loop back) at block 750.
  struct Step {
    std::uint32_t block;
    double beat, bpm;
    bool playing;
  };
  constexpr Step kSteps[] = {{0, 0.0, 92.0, true},      {200, -1.0, 130.0, true},
                             {400, 156.0, 130.0, true}, {600, 308.0, 130.0, true},
                             {700, -1.0, 130.0, false}, {750, 32.0, 130.0, true}};
  float loudest = 0.0f, loudestAfterJumps = 0.0f;
  resetViolations();
  std::thread audio([&] {
    setAudioThread(true);
    float left[256], right[256];
    double beat = 0.0, bpm = 92.0;
    bool playing = true;
    std::size_t step = 0;
    for (std::uint32_t block = 0; block < 900; ++block) {
      if (step < std::size(kSteps) && kSteps[step].block == block) {
        if (kSteps[step].beat >= 0.0) beat = kSteps[step].beat;
        bpm = kSteps[step].bpm;
        playing = kSteps[step].playing;
        ++step;
      }
      const clap_event_transport_t transport = clapTransport(playing, beat, bpm);
      plugin.process(256, {}, left, right, &transport);
      for (float x : left) {
        loudest = std::max(loudest, std::fabs(x));
        if (block >= 750) loudestAfterJumps = std::max(loudestAfterJumps, std::fabs(x));
      }
      if (playing) beat += 256.0 * bpm / (60.0 * 48000.0);
    }
    setAudioThread(false);
  });
  audio.join();
  MESSAGE(
      "900 blocks of the-performance on the host's timeline (92 then 130 bpm, jumps to bars "
      "40 and 78, a stop, a loop back to bar 9); loudest sample "
      << loudest << " (" << loudestAfterJumps << " after the loop back); allocations "
      << allocationViolations() << ", locks " << lockViolations() << " on the audio thread");
  CHECK(loudest > 0.01f);
  CHECK(loudestAfterJumps > 0.001f);  // it plays on after the loop back
  CHECK(allocationViolations() == 0);
  CHECK(lockViolations() == 0);
}

}  // namespace reverie::test
