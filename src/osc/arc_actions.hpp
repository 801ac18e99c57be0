// Hold and stingers from OSC. The composer gains them as parameters on the `cues` branch
// (arc::composer_parameter kHold, kStinger); until that is merged this build has neither, and
// these say so. At the merge, wire them here: holdEvent and stingerEvent return the composer
// parameter events to queue, and nothing else in src/osc changes.
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
