// scheduleScore: a patch's score, from seconds to frames.
#include <algorithm>
#include <cmath>

#include "reverie/score.hpp"

namespace reverie {
namespace {

std::uint64_t toFrame(double seconds, double sampleRate) {
  return static_cast<std::uint64_t>(std::llround(std::max(0.0, seconds) * sampleRate));
}

}  // namespace

std::vector<ScheduledEvent> scheduleScore(const Patch& patch, const std::map<std::string, NodeId>& ids,
                                          const Graph& graph, double sampleRate) {
  std::vector<ScheduledEvent> events;
  for (const ScoreEntry& entry : patch.score) {
    const NodeId node = ids.at(entry.node);
    ScheduledEvent e;
    e.node = node;
    e.frame = toFrame(entry.atSeconds, sampleRate);
    if (entry.kind == ScoreEntry::Kind::kNote) {
      e.event = {0, EventType::kNoteOn, 0, static_cast<std::uint16_t>(entry.key), entry.velocity};
      events.push_back(e);
      // A note-off never lands on its own note-on frame, however short the note.
      const std::uint64_t off = std::max(e.frame + 1, toFrame(entry.atSeconds + entry.lengthSeconds, sampleRate));
      events.push_back({off, node, {0, EventType::kNoteOff, 0, static_cast<std::uint16_t>(entry.key), 0.0f}});
    } else {
      const int index = findParameter(graph.node(node).parameters(), entry.parameter);
      if (index < 0) continue;  // validated at load time; unreachable for a loaded patch
      e.event = {0, EventType::kParameter, 0, static_cast<std::uint16_t>(index), entry.value};
      events.push_back(e);
    }
  }
  return events;
}

double scoreEndSeconds(const Patch& patch) {
  double end = 0.0;
  for (const ScoreEntry& entry : patch.score)
    end = std::max(end, entry.atSeconds + (entry.kind == ScoreEntry::Kind::kNote ? entry.lengthSeconds : 0.0));
  return end;
}

}  // namespace reverie
