// Test helper: a minimal CLAP host for the plugin's CLAP build (dlopen, clap_entry, the plugin
// factory, state, process with MIDI events; DPF's CLAP headers). One instance per object.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "clap/events.h"
#include "clap/ext/state.h"
#include "clap/plugin.h"
#include "plugin/phrase.hpp"

namespace reverie::test {

/// A byte buffer a state is saved to and loaded from.
struct StateBytes {
  std::vector<char> bytes;
  std::size_t readAt = 0;
};

/// A state in DPF's CLAP layout choosing `preset` (the state key `preset`).
StateBytes presetState(const std::string& preset);

/// A MIDI event for CLAP, `frame` frames into its block.
clap_event_midi_t clapMidi(std::uint32_t frame, const std::uint8_t (&bytes)[3]);

/// A host's transport for CLAP: rolling or not, at `beat` (quarter notes since the song start) in
/// 4/4 at `bpm`.
clap_event_transport_t clapTransport(bool playing, double beat, double bpm);

class ClapInstance {
 public:
  /// Creates and initialises the plugin (REQUIREs that the module loads and has it).
  ClapInstance();
  ~ClapInstance();
  ClapInstance(const ClapInstance&) = delete;
  ClapInstance& operator=(const ClapInstance&) = delete;

  /// Main thread: state, activation, the reported latency.
  bool load(StateBytes& state);
  StateBytes save();
  void start(int maxBlockFrames);
  int latency() const;

  /// Audio thread: one block of `frames` with `events` (and the host's `transport`, if given);
  /// the host allocates nothing here.
  void process(std::uint32_t frames, std::span<const clap_event_midi_t> events, float* left,
               float* right, const clap_event_transport_t* transport = nullptr);
  /// Renders `frames` in blocks of `block`, the messages at their frames.
  Stereo render(const std::vector<FramedMidi>& messages, std::uint64_t frames, int block);

 private:
  const clap_plugin_t* plugin_ = nullptr;
  const clap_plugin_state_t* state_ = nullptr;
  std::int64_t steadyTime_ = 0;
  bool active_ = false, processing_ = false;
};

}  // namespace reverie::test
