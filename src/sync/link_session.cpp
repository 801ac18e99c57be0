// Ableton Link into a Transport.
#include "sync/link_session.hpp"

#include <ableton/Link.hpp>
#include <cmath>

namespace reverie::sync {

struct LinkSource::Session {
  explicit Session(double tempo) : link(tempo) {}
  ableton::Link link;
};

LinkSource::LinkSource(double sampleRate, double outputLatencySeconds, double beatsPerBar,
                       double tempo)
    : session_(std::make_unique<Session>(tempo)),
      follower_(sampleRate),
      latencyMicros_(outputLatencySeconds * 1e6),
      beatsPerBar_(beatsPerBar) {
  ableton::Link& link = session_->link;
  link.enableStartStopSync(true);
  link.enable(true);
  auto state = link.captureAppSessionState();
  if (!state.isPlaying()) {
    state.setIsPlaying(true, link.clock().micros());
    link.commitAppSessionState(state);
  }
}

LinkSource::~LinkSource() {
  session_->link.enable(false);
}

std::optional<Transport> LinkSource::transport(int frames, std::int64_t callbackNanos) noexcept {
  ableton::Link& link = session_->link;
  // Link's clock and the steady clock the callback was timed on differ by an offset: read both
  // now, and take the callback's time (plus the latency) on Link's.
  const std::int64_t steadyNow = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count();
  const auto heard = link.clock().micros() +
                     std::chrono::microseconds(std::llround(
                         latencyMicros_ + static_cast<double>(callbackNanos - steadyNow) * 1e-3));
  const auto state = link.captureAudioSessionState();
  const bool playing = state.isPlaying();
  if (playing && !wasPlaying_)  // the song starts on the bar line where the session started
    songStart_ =
        std::floor(state.beatAtTime(state.timeForIsPlaying(), beatsPerBar_) / beatsPerBar_) *
        beatsPerBar_;
  wasPlaying_ = playing;
  Transport target;
  target.external = true;
  target.rolling = playing;
  target.beatsPerMinute = state.tempo();
  target.beatsPerBar = beatsPerBar_;
  target.beatType = 4.0;
  // Stopped, the song stays where it stopped (the session's beats keep counting).
  target.beat = playing ? state.beatAtTime(heard, beatsPerBar_) - songStart_ : lastBeat_;
  const Transport t = follower_.follow(target, frames);
  lastBeat_ = t.beat;
  published_.store(t);
  return t;
}

std::size_t LinkSource::peers() const {
  return session_->link.numPeers();
}

std::string LinkSource::describe() const {
  const std::size_t n = peers();
  return "Link " + describeTransport(published_.load()) + ", " + std::to_string(n) +
         (n == 1 ? " peer" : " peers");
}

}  // namespace reverie::sync
