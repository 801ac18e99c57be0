// Timestamped events that drive nodes: notes, controllers and parameter changes.
#pragma once

#include <cstdint>

namespace reverie {

/// Identifies a node inside a graph. Never reused while an engine lives.
using NodeId = std::uint32_t;
inline constexpr NodeId kInvalidNode = 0;

enum class EventType : std::uint8_t {
  kNoteOn,           ///< index = key (0..127), value = velocity (0..1]
  kNoteOff,          ///< index = key, value = release velocity
  kParameter,        ///< index = parameter index in the node's table, value in its unit
  kControlChange,    ///< index = controller number, value = 0..1
  kPitchBend,        ///< value = -1..1 (scaled by the node's bend range)
  kChannelPressure,  ///< value = 0..1
  kPolyPressure,     ///< index = key, value = 0..1
  kAllNotesOff,      ///< release every sounding voice
};

/// One event for one node, `frame` frames after the start of the block being rendered.
struct Event {
  std::uint32_t frame = 0;
  EventType type = EventType::kNoteOn;
  std::uint8_t channel = 0;
  std::uint16_t index = 0;
  float value = 0.0f;
};

/// An event addressed to a node, as a host hands it to `Engine::process`.
struct NodeEvent {
  NodeId node = kInvalidNode;
  Event event;
};

}  // namespace reverie
