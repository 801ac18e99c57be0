// The MIDI clock tracker: a least-squares line through recent ticks, published by seqlock.
#include "sync/midi_clock.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace reverie::sync {
namespace {

constexpr double kOffLineFraction = 0.25;  // of a period: a tick this far off the line is news
constexpr int kOffLineTicks = 3;           // in a row: the tempo has changed
constexpr int kMinTicksToJudge = 8;        // a line through fewer is too rough to judge by
constexpr double kGapPeriods = 4.0;        // a silence this long: the clock went away
constexpr double kFirstGapNanos = 250e6;   // ... before any tempo is known
constexpr int kReadTries = 4;

}  // namespace

double MidiClockTracker::Snapshot::beatAt(double nanos) const {
  double ticks = songTick;
  if (rolling && haveTempo) ticks += std::min((nanos - anchorNanos) / nanosPerTick, 2.0);
  return ticks / kTicksPerBeat;
}

void MidiClockTracker::clock(const midi::Message& message, std::int64_t nanos) noexcept {
  switch (message.status) {
    case 0xF8:
      tick(static_cast<double>(nanos));
      return;
    case 0xFA:  // start: the next clock is the song's first
      nextSongTick_ = 0;
      [[fallthrough]];
    case 0xFB:  // continue: the next clock is where the song stopped (or was put)
      running_ = false;
      waiting_ = true;
      break;
    case 0xFC:
      if (running_) nextSongTick_ = count_ + songOffset_ + 1;
      running_ = waiting_ = false;
      break;
    case 0xF2: {  // song position, in 16ths (6 clocks each): where the next clock lands
      nextSongTick_ =
          static_cast<std::int64_t>((message.data1 & 0x7F) | (message.data2 & 0x7F) << 7) * 6;
      if (running_) songOffset_ = nextSongTick_ - (count_ + 1);
      break;
    }
    default:
      return;
  }
  state_.rolling = running_;
  state_.songTick = static_cast<double>(running_ ? count_ + songOffset_ : nextSongTick_);
  publish();
}

void MidiClockTracker::tick(double nanos) noexcept {
  if (size_ > 0) {
    const double gap = nanos - times_[static_cast<std::size_t>(head_)];
    if (gap > (state_.haveTempo ? kGapPeriods * state_.nanosPerTick : kFirstGapNanos)) size_ = 0;
  }
  if (size_ >= kMinTicksToJudge) {
    const double predicted = state_.anchorNanos + state_.nanosPerTick;
    offLine_ =
        std::fabs(nanos - predicted) > kOffLineFraction * state_.nanosPerTick ? offLine_ + 1 : 0;
    if (offLine_ >= kOffLineTicks) {  // keep the ticks that were off: they are the new tempo
      size_ = kOffLineTicks - 1;
      offLine_ = 0;
    }
  }
  ++count_;
  head_ = (head_ + 1) % kWindow;
  times_[static_cast<std::size_t>(head_)] = nanos;
  size_ = std::min(size_ + 1, kWindow);
  if (waiting_) {
    songOffset_ = nextSongTick_ - count_;
    waiting_ = false;
    running_ = true;
  }
  fit();
  state_.rolling = running_;
  state_.songTick = static_cast<double>(running_ ? count_ + songOffset_ : nextSongTick_);
  publish();
}

void MidiClockTracker::fit() noexcept {
  const double last = times_[static_cast<std::size_t>(head_)];
  if (size_ < 2) {
    state_.anchorNanos = last;
    return;
  }
  // x: the clock's number relative to the last (0, -1, ...); y: its time relative to the last.
  double sumX = 0.0, sumY = 0.0;
  for (int i = 0; i < size_; ++i) {
    sumX -= i;
    sumY += times_[static_cast<std::size_t>((head_ - i + kWindow) % kWindow)] - last;
  }
  const double meanX = sumX / size_, meanY = sumY / size_;
  double sxx = 0.0, sxy = 0.0;
  for (int i = 0; i < size_; ++i) {
    const double dx = -i - meanX;
    sxx += dx * dx;
    sxy += dx * (times_[static_cast<std::size_t>((head_ - i + kWindow) % kWindow)] - last - meanY);
  }
  const double period = sxy / sxx;
  if (!(period > 0.0)) return;  // ticks out of order: keep the last line
  state_.nanosPerTick = period;
  state_.anchorNanos = last + meanY - period * meanX;
  state_.haveTempo = true;
}

void MidiClockTracker::publish() noexcept {
  published_.store({state_.rolling ? 1.0 : 0.0, state_.haveTempo ? 1.0 : 0.0, state_.songTick,
                    state_.anchorNanos, state_.nanosPerTick});
}

bool MidiClockTracker::read(Snapshot& out) const noexcept {
  SeqlockValues<5>::Values v{};
  if (!published_.tryLoad(v, kReadTries)) return false;
  out = {v[0] != 0.0, v[1] != 0.0, v[2], v[3], v[4]};
  return true;
}

MidiClockSource::MidiClockSource(double sampleRate, double outputLatencySeconds, double beatsPerBar)
    : follower_(sampleRate), latencyNanos_(outputLatencySeconds * 1e9), beatsPerBar_(beatsPerBar) {}

std::optional<Transport> MidiClockSource::transport(int frames,
                                                    std::int64_t callbackNanos) noexcept {
  tracker_.read(snapshot_);  // a write under way every try: the last snapshot still holds
  if (snapshot_.haveTempo) lastBpm_ = snapshot_.beatsPerMinute();
  Transport target;
  target.external = true;
  target.rolling = snapshot_.rolling;
  target.beat = snapshot_.beatAt(static_cast<double>(callbackNanos) + latencyNanos_);
  target.beatsPerMinute = lastBpm_;
  target.beatsPerBar = beatsPerBar_;
  target.beatType = 4.0;
  return follower_.follow(target, frames);
}

std::string MidiClockSource::describe() const {
  MidiClockTracker::Snapshot s;
  if (!tracker_.read(s)) return "MIDI clock: busy";
  if (!s.haveTempo && !s.rolling) return "MIDI clock: waiting for clock (0xF8)";
  Transport t;
  t.rolling = s.rolling;
  t.beatsPerMinute = s.beatsPerMinute();
  t.beatsPerBar = beatsPerBar_;
  t.beat = s.beatAt(static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                            std::chrono::steady_clock::now().time_since_epoch())
                                            .count()));
  return "MIDI clock " + describeTransport(t);
}

}  // namespace reverie::sync
