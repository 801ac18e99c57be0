// LivePatch: build beside, route, release, remove.
#include "cli/live_patch.hpp"

namespace reverie::cli {
namespace {

// Long enough for a release tail to fade; the old nodes cost CPU until then.
constexpr auto kRingOut = std::chrono::seconds(4);

}  // namespace

void LivePatch::load(const Patch& patch) {
  Graph& graph = engine_.graph();
  const auto ids = buildGraph(patch, graph, "p" + std::to_string(++generation_) + "-");
  Generation next;
  live::Routing routing;
  for (const NodeSpec& spec : patch.nodes) {
    const NodeId id = ids.at(spec.name);
    next.nodes.push_back(id);
    const NodeType& type = graph.node(id).type();
    if (mpe_ && type.mpeParameter >= 0)
      graph.setParameter(id, type.mpeParameter, NodeType::kMpeLowerZone);
    if (!type.acceptsNotes) continue;
    next.players.push_back(id);
    const midi::ChannelTarget target{id, type.bendRangeParameter};
    for (int channel = 0; channel < 16; ++channel) {
      int& count = routing.counts[static_cast<std::size_t>(channel)];
      if (count < midi::Translator::kMaxTargetsPerChannel)
        routing.targets[static_cast<std::size_t>(channel)][static_cast<std::size_t>(count++)] =
            target;
    }
  }
  for (NodeId listener : listeners_) {
    for (int channel = 0; channel < 16; ++channel) {
      int& count = routing.counts[static_cast<std::size_t>(channel)];
      if (count < midi::Translator::kMaxTargetsPerChannel)
        routing.targets[static_cast<std::size_t>(channel)][static_cast<std::size_t>(count++)] = {
            listener, -1};
    }
  }
  try {
    engine_.commit();
  } catch (...) {
    for (NodeId id : next.nodes) graph.remove(id);
    throw;
  }
  renderer_.setRouting(routing);
  if (!current_.nodes.empty()) {
    for (NodeId player : current_.players)
      engine_.send(player, Event{0, EventType::kAllNotesOff, 0, 0, 0.0f});
    current_.leaveAt = std::chrono::steady_clock::now() + kRingOut;
    leaving_.push_back(std::move(current_));
  }
  current_ = std::move(next);
  name_ = patch.name;
}

void LivePatch::tick() {
  const auto now = std::chrono::steady_clock::now();
  bool removed = false;
  for (auto it = leaving_.begin(); it != leaving_.end();) {
    if (it->leaveAt > now) {
      ++it;
      continue;
    }
    for (NodeId id : it->nodes) engine_.graph().remove(id);
    it = leaving_.erase(it);
    removed = true;
  }
  if (removed) engine_.commit();
}

int LivePatch::voices() const {
  int total = 0;
  for (NodeId id : current_.players) total += engine_.graph().node(id).publishedVoices();
  return total;
}

}  // namespace reverie::cli
