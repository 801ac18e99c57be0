// LivePatch: build beside, route, release, remove.
#include "live/live_patch.hpp"

#include "arc/arc_setup.hpp"

namespace reverie::live {
namespace {

// Long enough for a release tail to fade; the old nodes cost CPU until then.
constexpr auto kRingOut = std::chrono::seconds(4);

}  // namespace

std::string LivePatch::nextPrefix() {
  // The first generation is named as an offline render names it (node seeds hash the names);
  // later ones get a prefix, since they share the graph with the one leaving.
  return ++generation_ == 1 ? std::string() : "p" + std::to_string(generation_) + "-";
}

void LivePatch::load(const Patch& patch) {
  Graph& graph = engine_.graph();
  const auto ids = buildGraph(patch, graph, nextPrefix());
  Generation next;
  std::vector<midi::ChannelTarget> targets;
  for (const NodeSpec& spec : patch.nodes) {
    const NodeId id = ids.at(spec.name);
    next.nodes.push_back(id);
    const NodeType& type = graph.node(id).type();
    if (mpe_ && type.mpeParameter >= 0)
      graph.setParameter(id, type.mpeParameter, NodeType::kMpeLowerZone);
    if (!type.acceptsNotes) continue;
    next.players.push_back(id);
    targets.push_back({id, type.bendRangeParameter});
  }
  install(std::move(next), targets, patch.name);
  composer_ = kInvalidNode;
}

void LivePatch::load(const Arc& arc) {
  Graph& graph = engine_.graph();
  const arc::ArcNodes nodes = arc::buildArc(arc, graph, nextPrefix());
  Generation next;
  for (const auto& [name, id] : nodes.ids) {
    next.nodes.push_back(id);
    if (graph.node(id).type().acceptsNotes) next.players.push_back(id);  // released on a swap
  }
  next.nodes.push_back(nodes.composer);
  install(std::move(next), {{nodes.composer, -1}}, arc.name);
  composer_ = nodes.composer;
}

void LivePatch::install(Generation next, const std::vector<midi::ChannelTarget>& targets,
                        const std::string& name) {
  Routing routing;
  auto route = [&routing](const midi::ChannelTarget& target) {
    for (int channel = 0; channel < 16; ++channel) {
      int& count = routing.counts[static_cast<std::size_t>(channel)];
      if (count < midi::Translator::kMaxTargetsPerChannel)
        routing.targets[static_cast<std::size_t>(channel)][static_cast<std::size_t>(count++)] =
            target;
    }
  };
  for (const midi::ChannelTarget& target : targets) route(target);
  for (NodeId listener : listeners_) route({listener, -1});
  try {
    engine_.commit();
  } catch (...) {
    for (NodeId id : next.nodes) engine_.graph().remove(id);
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
  name_ = name;
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
  engine_.collectGarbage();
}

int LivePatch::voices() const {
  int total = 0;
  for (NodeId id : current_.players) total += engine_.graph().node(id).publishedVoices();
  return total;
}

}  // namespace reverie::live
