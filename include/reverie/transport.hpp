// Where an outside clock stands: a DAW's timeline (a plugin host), JACK transport, MIDI clock
// or Ableton Link. The audio thread hands it to the engine before a block (Engine::setTransport)
// and the nodes that keep musical time (the composer) read it when they generate the block's
// events (EventSink::transport). With `external` unset they keep the arc's own time.
#pragma once

namespace reverie {

struct Transport {
  bool external = false;  ///< an outside clock leads; false: the arc keeps its own time
  bool rolling = false;   ///< the clock moves; stopped, a following arc waits where it is
  double beat = 0.0;      ///< beats (of `beatType`) since the song's start, at the block's start
  double beatsPerMinute = 120.0;
  double beatsPerBar = 4.0;
  double beatType = 4.0;  ///< the note value of a beat: 4 is a quarter note

  /// The same clock `frames` frames later at `sampleRate`: a rolling clock moves on at its
  /// tempo, a stopped one stays.
  Transport advanced(int frames, double sampleRate) const noexcept {
    Transport next = *this;
    if (rolling && sampleRate > 0.0)
      next.beat += static_cast<double>(frames) * beatsPerMinute / (60.0 * sampleRate);
    return next;
  }
  bool operator==(const Transport&) const = default;
};

}  // namespace reverie
