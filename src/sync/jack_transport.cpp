// JACK transport into a Transport.
#include "sync/jack_transport.hpp"

#include <jack/jack.h>
#include <jack/transport.h>

#include "reverie/errors.hpp"

namespace reverie::sync {

JackTransportSource::JackTransportSource(double sampleRate) : sampleRate_(sampleRate) {
  jack_status_t status{};
  client_ = jack_client_open("reverie-sync", JackNoStartServer, &status);
  if (!client_)
    throw RuntimeFailure(
        "--sync jack: no JACK server answers (start one, e.g. with qjackctl or jackd)");
  // Active, as JackXruns' client is: no ports and no process callback, so nothing in the cycle.
  if (jack_activate(client_) != 0) {
    jack_client_close(client_);
    client_ = nullptr;
    throw RuntimeFailure("--sync jack: the JACK server refused a client");
  }
}

JackTransportSource::~JackTransportSource() {
  if (!client_) return;
  jack_deactivate(client_);
  jack_client_close(client_);
}

std::optional<Transport> JackTransportSource::transport(int, std::int64_t) noexcept {
  if (!client_) return std::nullopt;
  jack_position_t position{};
  const jack_transport_state_t state = jack_transport_query(client_, &position);
  const bool rolling = state == JackTransportRolling;
  // Several callbacks in one cycle: the engine moves the first one's position on itself.
  if (seen_ && rolling && lastRolling_ && position.frame == lastFrame_) return std::nullopt;
  seen_ = true;
  lastFrame_ = position.frame;
  lastRolling_ = rolling;
  Transport t;
  t.external = true;
  t.rolling = rolling;
  const bool bbt = (position.valid & JackPositionBBT) != 0 && position.beats_per_bar > 0.0f &&
                   position.beats_per_minute > 0.0 && position.ticks_per_beat > 0.0;
  hasMaster_.store(bbt, std::memory_order_relaxed);
  if (bbt) {
    t.beatsPerMinute = position.beats_per_minute;
    t.beatsPerBar = position.beats_per_bar;
    t.beatType = position.beat_type > 0.0f ? position.beat_type : 4.0;
    t.beat = (position.bar - 1) * t.beatsPerBar + (position.beat - 1) +
             position.tick / position.ticks_per_beat;
  } else {  // frames only: counted at 120 bpm in 4/4, so the arc still starts and stops with it
    const double rate = position.frame_rate > 0 ? position.frame_rate : sampleRate_;
    t.beat = position.frame / rate * t.beatsPerMinute / 60.0;
  }
  published_.store(t);
  return t;
}

std::string JackTransportSource::describe() const {
  return "JACK transport " + describeTransport(published_.load()) +
         (hasMaster_.load(std::memory_order_relaxed)
              ? ""
              : " (no timebase master: frames counted at 120 bpm)");
}

}  // namespace reverie::sync
