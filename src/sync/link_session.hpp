// `play --sync link`: Ableton Link. Tempo and bar phase (quantum = beats a bar) are shared with
// every Link peer on the network, and start/stop too (Link's start/stop sync).
#pragma once

#include <memory>

#include "sync/transport_source.hpp"

namespace reverie::sync {

class LinkSource final : public TransportSource {
 public:
  /// Joins (or opens) the session on the local network at `tempo` if it is the first peer.
  /// reverie starts playing at once (it is the instrument just started); a stop or start from
  /// any peer with start/stop sync then moves it (Link shares start/stop changes, not the state
  /// a peer joins with). A song starts on the bar line at or before where the session started
  /// playing, so bars keep the session's phase.
  LinkSource(double sampleRate, double outputLatencySeconds, double beatsPerBar, double tempo);
  ~LinkSource() override;
  LinkSource(const LinkSource&) = delete;
  LinkSource& operator=(const LinkSource&) = delete;

  /// captureAudioSessionState (Link makes it real-time safe) at the time the block's first
  /// frame is heard: the callback's time (steady clock) plus the output latency.
  std::optional<Transport> transport(int frames, std::int64_t callbackNanos) noexcept override;
  std::string describe() const override;
  std::size_t peers() const;

 private:
  struct Session;
  std::unique_ptr<Session> session_;
  BeatFollower follower_;
  double latencyMicros_, beatsPerBar_;
  double songStart_ = 0.0;  // audio thread: the session beat the song started on
  double lastBeat_ = 0.0;
  bool wasPlaying_ = false;
  PublishedTransport published_;
};

}  // namespace reverie::sync
