// Test helper: a minimal LV2 host on lilv. It loads a plugin by URI from $LV2_PATH, gives it
// what DPF's LV2 wrapper requires (URID map, options with the block length and rate, a worker),
// applies LV2 presets by label through lilv's state API, and runs blocks with atom MIDI events
// at their frames.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

struct LilvStateImpl;  // lilv's LilvState

namespace reverie::test {

/// A MIDI message `frame` frames into the block it is sent with.
struct BlockMidi {
  std::uint32_t frame = 0;
  std::uint8_t bytes[3] = {0, 0, 0};
};

/// The host's timeline as an LV2 time:Position says it (sent at a block's first frame).
struct HostTime {
  std::int64_t frame = 0;    ///< time:frame, the transport's frame
  double speed = 1.0;        ///< time:speed: 1 rolling, 0 stopped
  std::int64_t bar = 0;      ///< time:bar, counted from 0
  double barBeat = 0.0;      ///< time:barBeat, beats into the bar
  double beatsPerBar = 4.0;  ///< time:beatsPerBar
  int beatUnit = 4;          ///< time:beatUnit
  double beatsPerMinute = 120.0;
};

class Lv2Host {
 public:
  /// Instantiates `uri` at `sampleRate` for blocks of at most `maxBlockFrames` (REQUIREs that
  /// the plugin is found and instantiates).
  Lv2Host(const std::string& uri, double sampleRate, int maxBlockFrames);
  ~Lv2Host();
  Lv2Host(const Lv2Host&) = delete;
  Lv2Host& operator=(const Lv2Host&) = delete;

  /// The labels of the plugin's LV2 presets.
  std::vector<std::string> presetLabels();
  /// Restores the preset labelled `label` into the plugin (its state and port values).
  void applyPreset(const std::string& label);
  /// The plugin's state and port values as a host saves them in a session (Turtle text).
  std::string saveState();
  /// Restores a state saveState wrote (into this or another instance).
  void restoreState(const std::string& saved);
  void activate();
  /// Runs one block of `frames` (at most maxBlockFrames) with `events`, into left and right,
  /// telling the plugin where the host's timeline stands when `time` is given.
  void run(int frames, std::span<const BlockMidi> events, float* left, float* right,
           const HostTime* time = nullptr);
  /// A control port's value, by symbol (an output after run, e.g. the reported latency).
  float control(const std::string& symbol) const;
  void setControl(const std::string& symbol, float value);

 private:
  struct World;
  void restore(LilvStateImpl* state);  // restores and frees it
  std::unique_ptr<World> w_;
};

}  // namespace reverie::test
