// reverie::Instrument: the engine as an embedding program (a plugin, a game, your own audio
// callback) plays it. Build it from a preset or an arc, send it MIDI with frame offsets, render
// blocks, read its meters, swap what it plays without a dropout.
//
// Three kinds of thread, named on every method:
//  - the audio thread calls `process` (one thread at a time; it never allocates, locks or waits);
//  - the control thread (the one that built the instrument) calls `load`, `update` and the
//    accessors marked so; it may allocate and block;
//  - one other thread may `post` events (a UI's keyboard, a sequencer); any thread reads `meters`.
//
// `process` renders through the same Engine::process the offline render uses, so an instrument
// built from an arc and given no events renders exactly what `reverie render` writes for that
// arc and seed, in any block size.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "reverie/transport.hpp"

namespace reverie {

struct Arc;
struct Patch;

struct InstrumentConfig {
  double sampleRate = 48000.0;  ///< 22,050 to 192,000 Hz
  int maxBlockFrames = 512;     ///< the largest block `process` is given (1 to 4096)
  std::uint64_t seed = 1;       ///< feeds every random choice; the same seed renders the same
  bool mpe = false;             ///< MPE lower zone (channel 1 the manager, 2-16 single notes)
};

/// A MIDI 1.0 channel message for the block about to be rendered, `frame` frames into it.
struct MidiEvent {
  std::uint32_t frame = 0;  ///< offset in the block; a frame past its end plays on its last frame
  std::uint8_t status = 0;  ///< 0x80 note off ... 0xE0 pitch bend, low nibble the channel
  std::uint8_t data1 = 0;
  std::uint8_t data2 = 0;

  static MidiEvent noteOn(std::uint32_t frame, int channel, int key, int velocity);
  static MidiEvent noteOff(std::uint32_t frame, int channel, int key);
  static MidiEvent controlChange(std::uint32_t frame, int channel, int controller, int value);
  /// `bend` from -1 (down the bend range) to +1 (up).
  static MidiEvent pitchBend(std::uint32_t frame, int channel, float bend);
  static MidiEvent channelPressure(std::uint32_t frame, int channel, int pressure);
  /// Program `program` (0-127) picks the Nth preset of `reverie presets` (see Instrument::update).
  static MidiEvent programChange(std::uint32_t frame, int channel, int program);
};

/// The arc's live controls a host automates (Instrument::setArcControl).
enum class ArcControl : int {
  kTensionSource,  ///< 0: the arc's tension curve (the default), 1: kTension
  kTension,        ///< 0..1 (default 0.5), the tension while kTensionSource is 1
  kNextScene,      ///< a trigger: a value >= 0.5 moves to the next scene at its exit point
  kPlay,           ///< 1: the composer plays (the default); 0: it falls silent and waits
};
/// Macros a preset maps like controllers (`source = "macro1"` ... `"macro8"`).
inline constexpr int kInstrumentMacros = 8;

/// What the audio thread measured, readable from any thread without a lock.
struct InstrumentMeters {
  float peak[2] = {0.0f, 0.0f};     ///< absolute peak of the last block, left and right
  float maxPeak[2] = {0.0f, 0.0f};  ///< absolute peak since the instrument was built
  std::uint64_t framesRendered = 0;
  std::uint64_t notesPlayed = 0;       ///< note-ons applied
  std::uint64_t droppedEvents = 0;     ///< events lost to a full queue or block
  std::uint64_t nonFiniteSamples = 0;  ///< NaN/Inf replaced by silence at the master
  std::uint64_t swaps = 0;     ///< graphs the audio thread took over (a load, a rung-out removal)
  float limiterGainDb = 0.0f;  ///< master limiter gain reduction now
  int voices = -1;             ///< sounding voices, as of the last `update`
  int scene = -1;              ///< an arc's scene now (0-based; -1 for a preset)
};

class Instrument {
 public:
  /// Control thread: builds the preset or arc `nameOrPath` (a .toml path, or a name found on
  /// the preset search path as the command finds it). Throws reverie::InputError (PresetError
  /// for a broken file) and std::invalid_argument for a config out of range.
  explicit Instrument(std::string_view nameOrPath, const InstrumentConfig& config = {});
  /// Control thread, once the audio thread has stopped calling `process`.
  ~Instrument();
  Instrument(const Instrument&) = delete;
  Instrument& operator=(const Instrument&) = delete;

  // ---- control thread ----
  /// Builds another preset or arc beside the one playing; the audio thread takes it over at its
  /// next block boundary without waiting. The old one is released (all notes off), rings out
  /// for a few seconds and is freed by `update`, never on the audio thread. Throws as the
  /// constructor does, and then keeps playing what it played.
  void load(std::string_view nameOrPath);
  void load(const Patch& patch);
  void load(const Arc& arc);
  /// Call every 10-100 ms: frees what the audio thread retired, removes what has rung out,
  /// publishes the voice count, and loads the preset a program change asked for (the last of
  /// them). Returns a line to show when it did or could not, else an empty string.
  std::string update();
  /// The preset or arc playing.
  const std::string& name() const;
  const InstrumentConfig& config() const;
  /// Delay of the master limiter, in frames: an event at frame f is heard at f + latency.
  int latencyFrames() const;

  // ---- one other thread (or the control thread) ----
  /// Queues `event` for the audio thread's next `process`, at its frame there. Wait-free;
  /// false if the queue is full.
  bool post(const MidiEvent& event) noexcept;

  // ---- audio thread ----
  /// Renders `frames` stereo frames into left = out[0], right = out[1], playing `events` (and
  /// the posted ones) at their frames. Blocks longer than maxBlockFrames are rendered in pieces.
  /// Wait-free: no allocation, lock, print or wait (a program change is handed to the control
  /// thread with a compare-exchange that only a program change posted at once can repeat).
  void process(float* const* out, int frames, std::span<const MidiEvent> events = {}) noexcept;
  /// The outside clock (a host's timeline) at the first frame of the next `process`; an arc
  /// follows it while `transport.external` is set (see reverie/transport.hpp).
  void setTransport(const Transport& transport) noexcept;
  /// An arc's control, from the first frame of the next `process` on, deterministically. The
  /// value holds across loads: an arc loaded later is given the last tension, source and play
  /// (a preset ignores them). Wait-free.
  void setArcControl(ArcControl which, float value) noexcept;
  /// Macro `index` (0-7: macro 1-8) at `value` (0..1) from the first frame of the next
  /// `process`: the parameters the preset maps from it (`[[map]] source = "macro1"`) move as
  /// a controller moves them. Until a macro is first set its parameters keep the preset's
  /// values; once set, it holds across loads (a preset loaded later is given it). Wait-free.
  void setMacro(int index, float value) noexcept;

  // ---- any thread ----
  InstrumentMeters meters() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace reverie
