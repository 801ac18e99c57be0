// scheduleScore: a patch's score, from seconds to frames.
#include <algorithm>
#include <cmath>

#include "reverie/node_registry.hpp"
#include "reverie/score.hpp"

namespace reverie {
namespace {

std::uint64_t toFrame(double seconds, double sampleRate) {
  return static_cast<std::uint64_t>(std::llround(std::max(0.0, seconds) * sampleRate));
}

/// A ramp is written as a change every 5 ms; each step is smoothed by the parameter itself.
/// Ramps longer than 10 s take longer steps, so no ramp costs more than 2000 events.
constexpr double kRampStepSeconds = 0.005;
constexpr int kMaxRampSteps = 2000;

}  // namespace

std::vector<ScheduledEvent> scheduleScore(const Patch& patch,
                                          const std::map<std::string, NodeId>& ids,
                                          const Graph& graph, double sampleRate) {
  std::vector<ScheduledEvent> events;
  // Where each scored parameter stands, so a ramp starts from the value it last reached.
  std::map<std::pair<NodeId, int>, float> standing;
  for (const ScoreEntry& entry : patch.score) {
    const NodeId node = ids.at(entry.node);
    ScheduledEvent e;
    e.node = node;
    e.frame = toFrame(entry.atSeconds, sampleRate);
    if (entry.kind == ScoreEntry::Kind::kNote) {
      e.event = {0, EventType::kNoteOn, 0, static_cast<std::uint16_t>(entry.key), entry.velocity};
      events.push_back(e);
      // A note-off never lands on its own note-on frame, however short the note.
      const std::uint64_t off =
          std::max(e.frame + 1, toFrame(entry.atSeconds + entry.lengthSeconds, sampleRate));
      events.push_back(
          {off, node, {0, EventType::kNoteOff, 0, static_cast<std::uint16_t>(entry.key), 0.0f}});
    } else {
      const int index = findParameter(graph.node(node).parameters(), entry.parameter);
      if (index < 0) continue;  // validated at load time; unreachable for a loaded patch
      const auto key = std::make_pair(node, index);
      const auto found = standing.find(key);
      const float from =
          found != standing.end() ? found->second : graph.node(node).parameterTarget(index);
      const double wanted = std::ceil(entry.rampSeconds / kRampStepSeconds - 1e-9);
      const int steps = static_cast<int>(std::min<double>(wanted, kMaxRampSteps));
      for (int step = 1; step < steps; ++step) {
        const double fraction = static_cast<double>(step) / steps;
        const float value = static_cast<float>(from + (entry.value - from) * fraction);
        events.push_back({toFrame(entry.atSeconds + entry.rampSeconds * fraction, sampleRate),
                          node,
                          {0, EventType::kParameter, 0, static_cast<std::uint16_t>(index), value}});
      }
      e.frame = toFrame(entry.atSeconds + entry.rampSeconds, sampleRate);
      e.event = {0, EventType::kParameter, 0, static_cast<std::uint16_t>(index), entry.value};
      events.push_back(e);
      standing[key] = entry.value;
    }
  }
  return events;
}

std::vector<ScoreEntry> demoPhrase(const Patch& patch) {
  struct Step {
    double at, length;
    int key;
    float velocity;
  };
  // A major: A4 C#5 E5 A5 rising, then A3 E4 A4 C#5 E5 together.
  constexpr Step kPhrase[] = {
      {0.0, 1.2, 69, 0.7f},   {0.5, 1.2, 73, 0.75f},  {1.0, 1.2, 76, 0.8f},
      {1.5, 1.6, 81, 0.85f},  {2.75, 3.5, 57, 0.6f},  {2.75, 3.5, 64, 0.6f},
      {2.75, 3.5, 69, 0.65f}, {2.75, 3.5, 73, 0.65f}, {2.75, 3.5, 76, 0.7f}};
  std::vector<ScoreEntry> score;
  for (const NodeSpec& node : patch.nodes) {
    const NodeType* type = findNodeType(node.type);
    if (type == nullptr || !type->acceptsNotes) continue;
    for (const Step& step : kPhrase) {
      ScoreEntry entry;
      entry.atSeconds = step.at;
      entry.node = node.name;
      entry.key = step.key;
      entry.velocity = step.velocity;
      entry.lengthSeconds = step.length;
      score.push_back(entry);
    }
  }
  return score;
}

}  // namespace reverie
