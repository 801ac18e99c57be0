// Where `play --sync` takes the outside clock from: JACK transport, MIDI clock or Ableton Link.
// The audio callback asks its source for the Transport of the block about to render and hands it
// to Engine::setTransport before the engine renders.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "reverie/transport.hpp"
#include "sync/seqlock.hpp"

namespace reverie::sync {

class TransportSource {
 public:
  virtual ~TransportSource() = default;
  /// Audio thread, before the engine renders a block of `frames` frames whose callback came at
  /// `callbackNanos` (steady clock): the outside clock at the block's first frame, or nothing
  /// when the engine's own advance of the last one is still right. Wait-free.
  virtual std::optional<Transport> transport(int frames, std::int64_t callbackNanos) noexcept = 0;
  /// Control thread: a line for the user ("JACK transport rolling, 120.0 bpm, bar 5").
  virtual std::string describe() const = 0;
};

/// Follows a clock read at callback times that jitter by a few milliseconds (MIDI clock, Link):
/// the beat moves on by the frames rendered, at the clock's tempo, and is pulled a tenth of the
/// way towards the clock each block (a first-order loop), so callback jitter does not make the
/// beat stutter; a start, a stop, a jump (song position) or an error past kJumpBeats is taken
/// at once. Audio thread.
class BeatFollower {
 public:
  static constexpr double kPull = 0.1;
  static constexpr double kJumpBeats = 0.05;
  explicit BeatFollower(double sampleRate) : sampleRate_(sampleRate) {}
  Transport follow(const Transport& target, int frames) noexcept;

 private:
  double sampleRate_;
  bool started_ = false;
  Transport last_;
  int lastFrames_ = 0;
};

/// The Transport a source last handed the engine, for the control thread's status line (the
/// audio thread writes, never waiting).
class PublishedTransport {
 public:
  void store(const Transport& t) noexcept;
  Transport load() const noexcept;

 private:
  SeqlockValues<6> values_;
};

/// "rolling, 120.0 bpm, 4/4, bar 3 beat 2" for status lines.
std::string describeTransport(const Transport& t);

}  // namespace reverie::sync
