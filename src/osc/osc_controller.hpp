// What an OSC message does, without the network: the OSC thread hands each checked message
// here with the frame it is for; notes, controllers and parameters go to the audio thread
// through the renderer's wait-free timed queue, preset changes and scene cues to the control
// thread through a mailbox, and replies come back as data for the server to send. The control
// thread publishes a Directory (node names, the composer, the scenes) and a Status; a mutex
// guards them between those two threads only (the audio thread never sees it).
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "live/live_renderer.hpp"
#include "osc/osc_command.hpp"
#include "reverie/graph.hpp"

namespace reverie::osc {

/// The names /reverie/param and /reverie/scene/goto resolve, published by the control thread.
struct Directory {
  struct Entry {
    NodeId id = kInvalidNode;
    std::span<const ParameterDescriptor> parameters;
  };
  std::map<std::string, Entry, std::less<>> nodes;
  NodeId composer = kInvalidNode;
  std::vector<std::string> scenes;
};

/// Every node of `ids` by its name in `graph`, less a live generation's "pN-" prefix; the
/// composer (if any) also as "composer".
Directory makeDirectory(const Graph& graph, std::span<const NodeId> ids, NodeId composer,
                        std::vector<std::string> scenes);

/// What the control thread tells OSC clients (notify and /reverie/status).
struct Status {
  int voices = 0;
  double cpuLoad = 0.0;  ///< 0..1
  std::uint64_t xruns = 0, dropped = 0, late = 0;
  int scene = -1;  ///< 0-based; -1 without an arc
  std::string sceneName;
  int bar = 0;  ///< 1-based within the scene
  double tension = 0.0;
};

/// A message to send: to the sender (reply) or to every subscriber (broadcast).
struct Outgoing {
  std::string address;
  std::vector<Arg> args;
  bool broadcast = false;
};

/// Work for the control thread.
struct Request {
  enum class Kind : std::uint8_t { kPreset } kind = Kind::kPreset;
  std::string preset;
  std::string from;  ///< the sender's URL, for a failure reply
};

class Controller {
 public:
  Controller(live::LiveRenderer& renderer, double sampleRate)
      : renderer_(renderer), sampleRate_(sampleRate) {}

  // ---- the OSC thread (one) ----
  /// Acts on one message for `frame` (-1: at once). `from` is the sender's URL. Replies and
  /// echoes are appended to `out`; returns +1 to subscribe the sender, -1 to unsubscribe, 0.
  int handle(std::string_view address, std::span<const Arg> args, std::int64_t frame,
             const std::string& from, std::vector<Outgoing>& out);
  /// Messages refused (with /reverie/fail) so far.
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }
  /// The tension last set by OSC and whether the composer follows it (live source).
  double liveTension() const { return liveTension_.load(std::memory_order_relaxed); }
  bool liveSource() const { return liveSource_.load(std::memory_order_relaxed); }

  // ---- the control thread ----
  void setDirectory(Directory directory);
  void publish(const Status& status);
  Status status() const;
  std::vector<Request> takeRequests();
  /// "node.param" of a node's parameter, as /reverie/param takes it ("" if not published).
  std::string parameterName(NodeId node, int index) const;
  /// Sends /reverie/fail to a request's sender (through the OSC thread).
  void fail(const Request& request, const std::string& address, const std::string& reason);
  /// Replies queued by the control thread, for the OSC thread to send.
  std::vector<std::pair<std::string, Outgoing>> takeDeferred();

 private:
  bool post(const live::TimedEvent& event);
  bool postParameter(NodeId node, int index, float value, std::int64_t frame);
  std::string act(const Command& c, std::int64_t frame, const std::string& from,
                  std::vector<Outgoing>& out, int& subscribe);

  live::LiveRenderer& renderer_;
  double sampleRate_;
  mutable std::mutex mutex_;
  Directory directory_;
  Status status_;
  std::vector<Request> requests_;
  std::vector<std::pair<std::string, Outgoing>> deferred_;
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<double> liveTension_{0.0};
  std::atomic<bool> liveSource_{false};
};

}  // namespace reverie::osc
