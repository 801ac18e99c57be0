// `play --clock-out PORT`: MIDI clock (0xF8, 24 a quarter note), start, continue with song
// position, and stop, sent from reverie's own tempo (the arc's, or the clock it follows) so
// drum machines and sequencers follow it.
//
// The audio thread says, once a block, where reverie's time stands at the block's first frame
// and when that frame will be heard; a thread of its own turns that into the time of each tick
// and sends it then (timed against the audio clock, not a free-running timer of its own, so it
// never drifts from the sound).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "reverie/transport.hpp"
#include "sync/seqlock.hpp"

class RtMidiOut;

namespace reverie::sync {

class ClockOut {
 public:
  /// Opens MIDI output `port` (a name, or part of one, or an index) of `api` ("jack" or
  /// "alsa") and starts the sending thread. Throws InputError listing
  /// the ports when none matches, RuntimeFailure if MIDI cannot be used.
  ClockOut(const std::string& api, const std::string& port);
  ~ClockOut();
  ClockOut(const ClockOut&) = delete;
  ClockOut& operator=(const ClockOut&) = delete;

  /// Audio thread, once a block: reverie's time at the block's first frame (quarter notes since
  /// the song's start), its tempo in quarter notes a minute, whether it moves, and the
  /// steady-clock time that frame is heard. Wait-free.
  void publish(double quarterBeat, double quartersPerMinute, bool rolling,
               std::int64_t heardNanos) noexcept;
  /// A Transport in its own beats, as quarter notes.
  void publish(const Transport& t, std::int64_t heardNanos) noexcept {
    const double quarters = 4.0 / (t.beatType > 0.0 ? t.beatType : 4.0);
    publish(t.beat * quarters, t.beatsPerMinute * quarters, t.rolling, heardNanos);
  }
  const std::string& portName() const { return portName_; }
  std::uint64_t ticksSent() const { return ticks_.load(std::memory_order_relaxed); }

 private:
  struct Anchor {
    double beat = 0.0, qpm = 120.0, nanos = 0.0;
    bool rolling = false, valid = false;
  };
  Anchor read() const noexcept;
  void run();
  void send(std::uint8_t status, int data1 = -1, int data2 = -1);

  std::unique_ptr<RtMidiOut> out_;
  std::string portName_;
  SeqlockValues<4> anchor_;           // beat, qpm, nanos, rolling
  std::atomic<bool> rolling_{false};  // the sending thread's: whether it last sent a start
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> ticks_{0};
  std::thread thread_;
};

/// The arc's own time for --clock-out without --sync: quarter notes counted at the tempo of the
/// scene the composer plays (read once a block), from the first block on. Audio thread.
class ArcClock {
 public:
  /// `quarterTempos[i]`: scene i's tempo in quarter notes a minute.
  ArcClock(std::vector<double> quarterTempos, double sampleRate)
      : tempos_(std::move(quarterTempos)), sampleRate_(sampleRate) {}
  /// The time at the first frame of a block, then moves on by `frames` at scene `scene`'s tempo
  /// (the arc has ended past the last scene: the clock stops).
  Transport step(int scene, int frames) noexcept;

 private:
  std::vector<double> tempos_;
  double sampleRate_;
  double beat_ = 0.0;
};

}  // namespace reverie::sync
