// BeatFollower, PublishedTransport and the status text.
#include "sync/transport_source.hpp"

#include <cmath>
#include <cstdio>

namespace reverie::sync {

Transport BeatFollower::follow(const Transport& target, int frames) noexcept {
  Transport next = target;
  if (started_ && target.rolling && last_.rolling) {
    const Transport predicted = last_.advanced(lastFrames_, sampleRate_);
    const double error = target.beat - predicted.beat;
    if (std::fabs(error) < kJumpBeats) next.beat = predicted.beat + kPull * error;
  }
  started_ = true;
  last_ = next;
  lastFrames_ = frames;
  return next;
}

void PublishedTransport::store(const Transport& t) noexcept {
  values_.store({t.external ? 1.0 : 0.0, t.rolling ? 1.0 : 0.0, t.beat, t.beatsPerMinute,
                 t.beatsPerBar, t.beatType});
}

Transport PublishedTransport::load() const noexcept {
  const auto v = values_.load();
  if (!values_.written()) return {};
  return {v[0] != 0.0, v[1] != 0.0, v[2], v[3], v[4], v[5]};
}

std::string describeTransport(const Transport& t) {
  const double perBar = t.beatsPerBar > 0.0 ? t.beatsPerBar : 4.0;
  const double bar = std::floor(t.beat / perBar);
  const double beat = std::floor(t.beat - bar * perBar);
  char text[96];
  std::snprintf(text, sizeof text, "%s, %.1f bpm, %g/%g, bar %.0f beat %.0f",
                t.rolling ? "rolling" : "stopped", t.beatsPerMinute, t.beatsPerBar, t.beatType,
                bar + 1.0, beat + 1.0);
  return text;
}

}  // namespace reverie::sync
