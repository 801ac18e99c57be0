// Turning a patch's score (seconds) into engine events (frames).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "reverie/offline_clock.hpp"
#include "reverie/preset.hpp"

namespace reverie {

/// Note-ons, note-offs and parameter changes at their frames, for nodes built by buildGraph.
/// Times are rounded to the nearest frame, so the same score lands on the same frames every time.
std::vector<ScheduledEvent> scheduleScore(const Patch& patch,
                                          const std::map<std::string, NodeId>& ids,
                                          const Graph& graph, double sampleRate);

/// A short demonstration phrase, for a patch that brings no score of its own (an instrument
/// preset): a rising arpeggio, then a chord held long enough for a bow to speak, played by
/// every node that plays notes.
std::vector<ScoreEntry> demoPhrase(const Patch& patch);

}  // namespace reverie
