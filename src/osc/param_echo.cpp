// ParameterEcho: the audio thread's wait-free publication; EchoThrottle: the OSC thread's
// coalescing.
#include "osc/param_echo.hpp"

#include <cmath>

namespace reverie::osc {

ParameterEcho::ParameterEcho() : keys_(kShadowSlots, 0), values_(kShadowSlots, 0.0f) {}

float* ParameterEcho::shadow(NodeId node, int index, bool& fresh) noexcept {
  // Open addressing over a table sized once; when it is full, changes are no longer tracked.
  const std::uint64_t key = (std::uint64_t{node} << 17 | static_cast<std::uint64_t>(index + 1)) + 1;
  std::size_t slot = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 50);
  for (std::size_t probe = 0; probe < kShadowSlots; ++probe) {
    const std::size_t i = (slot + probe) & (kShadowSlots - 1);
    if (keys_[i] == key) {
      fresh = false;
      return &values_[i];
    }
    if (keys_[i] == 0) {
      keys_[i] = key;
      fresh = true;
      return &values_[i];
    }
  }
  return nullptr;
}

void ParameterEcho::publish(NodeId node, int index, float value) noexcept {
  if (!queue_.push({node, index, value})) dropped_.fetch_add(1, std::memory_order_relaxed);
}

void ParameterEcho::nodeRendered(NodeId id, const Node& node, const ProcessBlock& block) noexcept {
  if (!enabled_.load(std::memory_order_relaxed)) return;
  const auto count = static_cast<int>(node.parameters().size());
  bool fresh = false;
  if (shadow(id, -1, fresh) != nullptr && fresh) {
    // First sight of the node: its values as they stand are the baseline, not news.
    for (int i = 0; i < count; ++i)
      if (float* seen = shadow(id, i, fresh)) *seen = node.parameterTarget(i);
  }
  bool controllers = false;
  for (const Event& e : block.events) {
    if (e.type == EventType::kParameter && e.index < count) {
      // What was set (a trigger such as the composer's stinger reads 0 again at once).
      const ParameterDescriptor& d = node.parameters()[e.index];
      float value = d.clamp(e.value);
      if (d.isChoice()) value = std::floor(value + 0.5f);
      publish(id, e.index, value);
      if (float* seen = shadow(id, e.index, fresh)) *seen = node.parameterTarget(e.index);
    }
    controllers =
        controllers || e.type == EventType::kControlChange || e.type == EventType::kChannelPressure;
  }
  if (!controllers) return;
  for (int i = 0; i < count; ++i) {
    float* seen = shadow(id, i, fresh);
    const float now = node.parameterTarget(i);
    if (seen == nullptr || *seen == now) continue;
    *seen = now;
    publish(id, i, now);
  }
}

void EchoThrottle::add(const ParameterChange& change) {
  Slot& slot = slots_[{change.node, change.index}];
  slot.pending = change.value;
  slot.hasPending = true;
}

std::vector<ParameterChange> EchoThrottle::due(std::int64_t nowNanos) {
  std::vector<ParameterChange> out;
  for (auto& [key, slot] : slots_) {
    if (!slot.hasPending || (slot.everSent && nowNanos - slot.sentAt < interval_)) continue;
    slot.hasPending = false;
    if (slot.everSent && slot.sent == slot.pending) continue;
    slot.sent = slot.pending;
    slot.everSent = true;
    slot.sentAt = nowNanos;
    out.push_back({key.first, key.second, slot.pending});
  }
  return out;
}

}  // namespace reverie::osc
