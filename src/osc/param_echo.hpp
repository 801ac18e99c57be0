// The echo of every parameter change, whatever made it (a MIDI controller mapped to a
// parameter, OSC, the arc's composer), for /reverie/notify subscribers. The audio thread
// publishes what it applied through a wait-free queue (an Engine RenderObserver: no engine
// change, no allocation or lock); the OSC thread drains it and coalesces per parameter so a
// stream of changes (an LFO, the composer's automation) sends at most one message per
// parameter per interval, always ending on the latest value.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "engine/spsc_queue.hpp"
#include "reverie/engine.hpp"

namespace reverie::osc {

struct ParameterChange {
  NodeId node = kInvalidNode;
  int index = 0;
  float value = 0.0f;
};

class ParameterEcho final : public RenderObserver {
 public:
  static constexpr std::size_t kCapacity = 4096;
  static constexpr std::size_t kShadowSlots = 16384;

  ParameterEcho();

  // ---- any thread ----
  /// Publishes only while on (someone subscribed): off, the audio thread does nothing here.
  void setEnabled(bool on) noexcept { enabled_.store(on, std::memory_order_relaxed); }
  /// Changes lost to a full queue.
  std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

  // ---- the one reading thread ----
  bool pop(ParameterChange& change) noexcept { return queue_.pop(change); }

  // ---- audio thread ----
  /// A parameter event publishes the value it set; a controller or pressure event publishes
  /// the node's parameters it moved (the node's controller mappings, seen by the values they
  /// left against the last ones seen).
  void nodeRendered(NodeId id, const Node& node, const ProcessBlock& block) noexcept override;
  void busRendered(const float*, const float*, int) noexcept override {}

 private:
  /// The last value seen of (node, index); index -1 marks a node whose values were taken.
  float* shadow(NodeId node, int index, bool& fresh) noexcept;
  void publish(NodeId node, int index, float value) noexcept;

  SpscQueue<ParameterChange> queue_{kCapacity};
  std::atomic<bool> enabled_{false};
  std::atomic<std::uint64_t> dropped_{0};
  std::vector<std::uint64_t> keys_;  // audio thread; 0 = empty
  std::vector<float> values_;
};

/// The OSC thread's coalescing: per parameter, at most one change per `intervalNanos`; a
/// change to the value last sent is not sent again.
class EchoThrottle {
 public:
  explicit EchoThrottle(std::int64_t intervalNanos) : interval_(intervalNanos) {}
  void add(const ParameterChange& change);
  /// The changes to send now (`nowNanos` on any steady clock).
  std::vector<ParameterChange> due(std::int64_t nowNanos);

 private:
  struct Slot {
    float pending = 0.0f, sent = 0.0f;
    bool hasPending = false, everSent = false;
    std::int64_t sentAt = 0;
  };
  std::int64_t interval_;
  std::map<std::pair<NodeId, int>, Slot> slots_;
};

}  // namespace reverie::osc
