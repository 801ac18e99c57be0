// `play --osc PORT`: the server, the controller and the arc cues, driven by play's control loop.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "live/live_patch.hpp"
#include "osc/arc_cues.hpp"
#include "osc/osc_controller.hpp"
#include "osc/osc_server.hpp"

namespace reverie::osc {

/// What the player's status line counts, handed to OSC clients.
struct PlayCounters {
  int voices = 0;
  double cpuLoad = 0.0;
  std::uint64_t xruns = 0;
};

class LiveOsc {
 public:
  /// `arc` (may be null) runs under the player with `composer`, its nodes `arcNodes`;
  /// `outputLatencySeconds`: the sound card's, for bundles (the engine's own is added).
  LiveOsc(int port, Engine& engine, live::LiveRenderer& renderer, live::LivePatch& patch,
          const Arc* arc, NodeId composer, std::vector<NodeId> arcNodes,
          double outputLatencySeconds);
  ~LiveOsc();

  /// Control thread, each turn of the player's loop: loads presets asked for, moves the arc on
  /// for a goto, and publishes the status. Returns lines for the user.
  std::vector<std::string> tick(const PlayCounters& counters);
  std::uint64_t received() const { return server_->received(); }
  std::uint64_t failures() const { return controller_.failures(); }
  /// The file of the last preset loaded over OSC, once (play watches it for edits).
  std::optional<std::filesystem::path> takeLoadedPreset() { return std::exchange(loaded_, {}); }

 private:
  void publishDirectory();

  Engine& engine_;
  live::LiveRenderer& renderer_;
  live::LivePatch& patch_;
  const Arc* arc_;
  NodeId composer_;
  std::vector<NodeId> arcNodes_, published_;
  Controller controller_;
  ParameterEcho echo_;
  std::optional<ArcCues> cues_;
  std::unique_ptr<Server> server_;
  std::optional<std::filesystem::path> loaded_;
};

}  // namespace reverie::osc
