// Hold and stingers from OSC: the composer parameter events (arc::composer_parameter kHold,
// kStinger) that /reverie/hold and /reverie/stinger queue for the audio thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "reverie/event.hpp"

namespace reverie::osc {

/// A composer parameter event for the audio thread, or why there is none.
struct ArcAction {
  std::optional<NodeEvent> event;
  std::string failure;
};

/// /reverie/hold 0|1 for the composer `composer`.
ArcAction holdEvent(NodeId composer, bool hold);
/// /reverie/stinger name for the composer `composer`.
ArcAction stingerEvent(NodeId composer, std::string_view name);

}  // namespace reverie::osc
