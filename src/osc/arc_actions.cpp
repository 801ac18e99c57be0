// Hold and stingers from OSC: the composer's kHold and kStinger parameters, as every other
// control (a cue file, the arc's keys and pads) reaches them.
#include "osc/arc_actions.hpp"

#include "arc/composer.hpp"
#include "reverie/arc.hpp"

namespace reverie::osc {
namespace {

NodeEvent composerParameter(NodeId composer, int index, float value) {
  return NodeEvent{composer,
                   Event{0, EventType::kParameter, 0, static_cast<std::uint16_t>(index), value}};
}

}  // namespace

ArcAction holdEvent(NodeId composer, bool hold) {
  // 1 holds the scene playing (and every scene after it) until a cue; 0 lets every scene end
  // at its bar count, whatever the arc's own hold keys say.
  const float mode = static_cast<float>(hold ? arc::composer_parameter::kHoldOn
                                             : arc::composer_parameter::kHoldOff);
  return {composerParameter(composer, arc::composer_parameter::kHold, mode), {}};
}

ArcAction stingerEvent(NodeId composer, std::string_view name) {
  const std::optional<Stinger> stinger = stingerNamed(name);
  if (!stinger) {
    std::string names;
    for (const StingerInfo& info : stingerTable())
      names += (names.empty() ? "" : ", ") + std::string(info.name);
    return {std::nullopt, "unknown stinger '" + std::string(name) + "'; stingers: " + names};
  }
  return {composerParameter(composer, arc::composer_parameter::kStinger,
                            1.0f + static_cast<float>(static_cast<int>(*stinger))),
          {}};
}

}  // namespace reverie::osc
