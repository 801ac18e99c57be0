// Standard MIDI File writer (format 1): tracks of timed channel and meta events, and the tempo
// map that places frames of audio on ticks so that a reader's walk of the map lands on them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace reverie::midi {

/// A tempo from `tick` on, in microseconds per quarter note.
struct TempoPoint {
  std::uint64_t tick = 0;
  std::uint32_t microsPerQuarter = 500000;
};

/// Ticks to seconds as a reader walks a tempo map (120 bpm before the first point), and back to
/// the tick that lands on a given frame of audio.
class TempoMap {
 public:
  /// `points` sorted by tick; `ticksPerQuarter` 1..32767.
  TempoMap(int ticksPerQuarter, std::vector<TempoPoint> points);

  int ticksPerQuarter() const { return ticksPerQuarter_; }
  const std::vector<TempoPoint>& points() const { return points_; }
  double secondsAt(std::uint64_t tick) const;

  struct Placement {
    std::uint64_t tick = 0;
    bool exact = false;  ///< llround(secondsAt(tick) * rate) == frame
  };
  /// The tick whose time rounds to `frame` at `rate`, the one nearest the frame's instant when
  /// several do; when ticks are longer than frames and none does, the nearest tick (inexact).
  Placement tickForFrame(std::uint64_t frame, double rate) const;

 private:
  std::size_t pointAt(std::uint64_t tick) const;
  int ticksPerQuarter_;
  std::vector<TempoPoint> points_;
  std::vector<double> pointSeconds_;
};

/// One event of a track: a channel message (status and data bytes) or a meta event
/// (0xFF, type, then its data; the length is written by the encoder).
struct TrackEvent {
  std::uint64_t tick = 0;
  std::vector<std::uint8_t> bytes;
};

struct Track {
  std::vector<TrackEvent> events;  ///< any order of ticks; events on one tick keep their order

  void meta(std::uint64_t tick, std::uint8_t type, std::vector<std::uint8_t> data);
  void text(std::uint64_t tick, std::uint8_t type, std::string_view text);
  void channel(std::uint64_t tick, std::uint8_t status, std::uint8_t data1, std::uint8_t data2);
};

/// Meta event types this writer uses.
namespace meta {
inline constexpr std::uint8_t kTrackName = 0x03, kMarker = 0x06, kTempo = 0x51,
                              kTimeSignature = 0x58, kKeySignature = 0x59;
}

/// The data of a time signature for `beats`/`unit` (unit a power of two), a metronome click
/// per beat, 8 32nds per quarter.
std::vector<std::uint8_t> timeSignatureData(int beats, int unit);
/// The data of a key signature: the tonic's pitch class (0 = C) in major or minor, spelled with
/// at most 6 flats or 5 sharps (F# major and D# minor take 6 sharps).
std::vector<std::uint8_t> keySignatureData(int tonic, bool minor);

/// A format-1 file: header, then each track with its events sorted by tick (stable), delta
/// times, and an end-of-track meta event at its last event or `endTick`, whichever is later.
std::vector<std::uint8_t> encodeFormat1(int ticksPerQuarter, std::vector<Track> tracks,
                                        std::uint64_t endTick = 0);

}  // namespace reverie::midi
