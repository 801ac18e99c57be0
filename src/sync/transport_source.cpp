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
  const std::uint64_t sequence = sequence_.load(std::memory_order_relaxed);
  sequence_.store(sequence + 1, std::memory_order_seq_cst);
  external_.store(t.external, std::memory_order_seq_cst);
  rolling_.store(t.rolling, std::memory_order_seq_cst);
  beat_.store(t.beat, std::memory_order_seq_cst);
  bpm_.store(t.beatsPerMinute, std::memory_order_seq_cst);
  beatsPerBar_.store(t.beatsPerBar, std::memory_order_seq_cst);
  beatType_.store(t.beatType, std::memory_order_seq_cst);
  sequence_.store(sequence + 2, std::memory_order_seq_cst);
}

Transport PublishedTransport::load() const noexcept {
  for (;;) {
    const std::uint64_t before = sequence_.load(std::memory_order_seq_cst);
    if (before & 1u) continue;
    Transport t;
    t.external = external_.load(std::memory_order_seq_cst);
    t.rolling = rolling_.load(std::memory_order_seq_cst);
    t.beat = beat_.load(std::memory_order_seq_cst);
    t.beatsPerMinute = bpm_.load(std::memory_order_seq_cst);
    t.beatsPerBar = beatsPerBar_.load(std::memory_order_seq_cst);
    t.beatType = beatType_.load(std::memory_order_seq_cst);
    if (sequence_.load(std::memory_order_seq_cst) == before) return t;
  }
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
