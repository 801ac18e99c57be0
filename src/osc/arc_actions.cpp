// Hold and stingers: not in this build yet (see arc_actions.hpp for where they are wired).
#include "osc/arc_actions.hpp"

namespace reverie::osc {

ArcAction holdEvent(NodeId /*composer*/, bool /*hold*/) {
  // At the merge with `cues`: return {NodeEvent{composer, Event{0, EventType::kParameter, 0,
  // arc::composer_parameter::kHold, hold ? 1.0f : 0.0f}}, {}};
  return {std::nullopt, "not available in this build"};
}

ArcAction stingerEvent(NodeId /*composer*/, std::string_view /*name*/) {
  // At the merge with `cues`: look the name up in the stinger enum (a bad name is a failure
  // naming the valid ones) and return the kStinger trigger event with its index.
  return {std::nullopt, "not available in this build"};
}

}  // namespace reverie::osc
