// MIDI clock in: 24 ticks a quarter note (0xF8), start (0xFA), continue (0xFB), stop (0xFC) and
// song position (0xF2, in 16ths), timestamped by the input thread that received them.
//
// Tempo and phase come from a least-squares line through the last kWindow tick times (a tick's
// number against its arrival time). Over a window the fit is unbiased and its error known (with
// N ticks of jitter s its period error is s * sqrt(12 / N^3)); it has no loop gain or damping to
// tune and does not overshoot a tempo change, and it costs N multiply-adds a tick on the MIDI
// thread. A second-order loop would be cheaper but trades jitter against lag through its
// bandwidth. A tempo change (three ticks in a row off the line by a quarter period) restarts the
// window, so a new tempo is followed within a few ticks rather than a whole window.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "midi/midi_translator.hpp"
#include "sync/transport_source.hpp"

namespace reverie::sync {

class MidiClockTracker final : public midi::ClockListener {
 public:
  static constexpr int kTicksPerBeat = 24;
  static constexpr int kWindow = 48;  ///< two beats of ticks

  /// Where the clock stood at the last tick, as the audio thread reads it.
  struct Snapshot {
    bool rolling = false;       ///< started or continued, and its first tick has come
    bool haveTempo = false;     ///< two ticks at least, in one run of clock
    double songTick = 0.0;      ///< song position, in ticks, at `anchorNanos` (or when stopped)
    double anchorNanos = 0.0;   ///< the fitted time of the last tick
    double nanosPerTick = 0.0;  ///< the fitted tick period
    double beatsPerMinute() const { return haveTempo ? 60e9 / (kTicksPerBeat * nanosPerTick) : 0; }
    /// Quarter-note beats since the song's start at `nanos` (a rolling clock is extrapolated
    /// at most two ticks past its last one, so a clock that vanishes without a stop stalls;
    /// earlier times are read off the fitted line).
    double beatAt(double nanos) const;
  };

  /// The input thread that follows the clock (one thread only): one message.
  void clock(const midi::Message& message, std::int64_t nanos) noexcept override;
  /// Any thread: the last published snapshot. Wait-free: false (and `out` untouched) if a write
  /// was under way in each of a few tries; the caller keeps what it had.
  bool read(Snapshot& out) const noexcept;

 private:
  void tick(double nanos) noexcept;
  void fit() noexcept;
  void publish() noexcept;

  // The input thread's own state.
  std::array<double, kWindow> times_{};  // arrival of clock number count_ - i at [(head - i)]
  int head_ = -1, size_ = 0;
  std::int64_t count_ = 0;         // clocks received (free-running, also while stopped)
  std::int64_t songOffset_ = 0;    // song tick = clock number + offset while rolling
  std::int64_t nextSongTick_ = 0;  // where a start or continue begins
  bool running_ = false, waiting_ = false;
  int offLine_ = 0;  // ticks in a row off the fitted line
  Snapshot state_;
  SeqlockValues<5> published_;  // the snapshot's fields, in order
};

/// `--sync midi`: the Transport from a tracker, at the time the block's first frame is heard
/// (the callback time plus the output latency), smoothed by a BeatFollower.
class MidiClockSource final : public TransportSource {
 public:
  /// `beatsPerBar` quarter notes a bar (MIDI clock says nothing of bars).
  MidiClockSource(double sampleRate, double outputLatencySeconds, double beatsPerBar = 4.0);
  MidiClockTracker& tracker() { return tracker_; }
  std::optional<Transport> transport(int frames, std::int64_t callbackNanos) noexcept override;
  std::string describe() const override;

 private:
  MidiClockTracker tracker_;
  BeatFollower follower_;
  MidiClockTracker::Snapshot snapshot_;  // audio thread: the last one read whole
  double latencyNanos_, beatsPerBar_;
  double lastBpm_ = 120.0;
};

}  // namespace reverie::sync
