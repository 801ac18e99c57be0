// `play --sync jack|midi|link` and `--clock-out PORT`: the outside clock handed to the engine
// before each block, and MIDI clock sent from reverie's own time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "live/live_renderer.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "sync/clock_out.hpp"
#include "sync/transport_source.hpp"

namespace reverie::cli {

struct PlaySyncOptions {
  std::string mode = "none";  ///< none, jack, midi or link
  std::string clockOut;       ///< a MIDI output port, or empty
  std::string midiApi;        ///< jack or alsa (resolved)
  std::string midiInput;      ///< --midi-input: "none" opens no input, so no clock comes
  std::string hostApiKey;     ///< the audio device's ("jack", "alsa", ...)
  double sampleRate = 48000.0;
  double latencySeconds = 0.0;  ///< output latency: when a block's first frame is heard
};

class PlaySync {
 public:
  /// Control thread, after the stream is opened and before it starts or any MIDI input runs.
  /// `arc` and `composer` (null without --arc) give the arc's meter and its own tempo for
  /// --clock-out. Throws InputError for a mode that cannot run here (jack off JACK, link not
  /// built, --clock-out with no tempo to send).
  PlaySync(const PlaySyncOptions& options, Engine& engine, live::LiveRenderer& renderer,
           const Arc* arc, const Node* composer);
  ~PlaySync();

  /// Audio thread, before the renderer renders a block. Wait-free.
  void beforeBlock(int frames, std::int64_t callbackNanos) noexcept;

  /// The audio system went away with the stream: leave its clients unclosed (closing waits).
  void abandon() {
    (void)source_.release();
    (void)clockOut_.release();
  }
  /// Control thread: the lines to print at start.
  std::vector<std::string> describe() const;
  /// Control thread, often: a line when the followed clock starts, stops or changes tempo.
  std::optional<std::string> news(std::chrono::steady_clock::time_point now);

 private:
  Engine& engine_;
  std::unique_ptr<sync::TransportSource> source_;
  std::unique_ptr<sync::ClockOut> clockOut_;
  std::unique_ptr<sync::ArcClock> arcClock_;
  const Node* composer_ = nullptr;
  std::int64_t latencyNanos_ = 0;
  std::string mode_;
  // news(): what was last said
  bool saidRolling_ = false;
  double saidBpm_ = -1.0;
  std::chrono::steady_clock::time_point nextNews_{};
  sync::PublishedTransport followed_;  // what the engine was handed, for news()
};

}  // namespace reverie::cli
