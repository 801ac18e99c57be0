// `play --sync jack`: JACK transport (jack_transport, a DAW, or any timebase master) read in the
// process cycle: rolling or stopped, and where, in bars, beats and ticks, at what tempo and meter.
#pragma once

#include <atomic>

#include "sync/transport_source.hpp"

typedef struct _jack_client jack_client_t;

namespace reverie::sync {

class JackTransportSource final : public TransportSource {
 public:
  /// Opens a port-less client ("reverie-sync") of the running server; it needs no process
  /// callback: the audio callback, already in the JACK cycle, asks the transport. Throws
  /// RuntimeFailure without a server.
  explicit JackTransportSource(double sampleRate);
  ~JackTransportSource() override;
  JackTransportSource(const JackTransportSource&) = delete;
  JackTransportSource& operator=(const JackTransportSource&) = delete;

  /// jack_transport_query, which JACK makes safe in its real-time thread. With a timebase
  /// master the position is its bar, beat and tick; without one, frames at 120 bpm in 4/4.
  /// Nothing new within one cycle (a callback smaller than the period).
  std::optional<Transport> transport(int frames, std::int64_t callbackNanos) noexcept override;
  std::string describe() const override;
  /// The server went away: never call into it again.
  void abandon() { client_ = nullptr; }

 private:
  jack_client_t* client_ = nullptr;
  double sampleRate_;
  bool seen_ = false;
  std::uint32_t lastFrame_ = 0;
  bool lastRolling_ = false;
  std::atomic<bool> hasMaster_{false};
  PublishedTransport published_;
};

}  // namespace reverie::sync
