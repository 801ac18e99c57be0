// scheduleFile: build each patch once, route tracks by name and channels to note players.
#include "midi/midi_schedule.hpp"

#include <array>
#include <memory>

#include "reverie/errors.hpp"
#include "reverie/offline_clock.hpp"

namespace reverie::midi {
namespace {

std::vector<ChannelTarget> notePlayers(const Patch& patch, const std::map<std::string, NodeId>& ids,
                                       const Graph& graph) {
  std::vector<ChannelTarget> targets;
  for (const NodeSpec& spec : patch.nodes) {
    const NodeId id = ids.at(spec.name);
    const NodeType& type = graph.node(id).type();
    if (type.acceptsNotes) targets.push_back({id, type.bendRangeParameter});
  }
  return targets;
}

using KeyCounts = std::array<std::array<int, 128>, 16>;  // note-ons not yet ended

/// One way events travel: a translator set up for its nodes, and its sounding keys.
struct Route {
  explicit Route(const VelocityCurve& curve) : translator(curve) {}
  Translator translator;
  KeyCounts sounding{};
};

}  // namespace

MidiSchedule scheduleFile(const MidiFile& file, const MidiRenderSetup& setup, Engine& engine) {
  Graph& graph = engine.graph();
  auto byChannel = std::make_unique<Route>(setup.velocityCurve);
  byChannel->translator.setMpe(setup.mpe);
  // Each distinct patch is built once; the first keeps its own node names.
  std::map<const Patch*, std::vector<ChannelTarget>> built;
  std::map<std::string, NodeId> defaultIds;
  auto build = [&](const Patch* patch) -> const std::vector<ChannelTarget>& {
    auto found = built.find(patch);
    if (found != built.end()) return found->second;
    const std::string prefix =
        built.empty() ? std::string() : "p" + std::to_string(built.size()) + "-";
    const auto ids = buildGraph(*patch, graph, prefix);
    for (const auto& [name, id] : ids) {
      const int mpe = graph.node(id).type().mpeParameter;
      if (setup.mpe && mpe >= 0) graph.setParameter(id, mpe, NodeType::kMpeLowerZone);
    }
    if (patch == setup.defaultPatch) defaultIds = ids;
    return built.emplace(patch, notePlayers(*patch, ids, graph)).first->second;
  };
  for (int channel = 1; channel <= 16; ++channel) {
    const auto mapped = setup.channelPatches.find(channel);
    const Patch* patch = mapped != setup.channelPatches.end() ? mapped->second : setup.defaultPatch;
    const auto& targets = build(patch);
    if (targets.empty())
      throw InputError("preset '" + patch->name +
                       "' has no node that plays notes, so it cannot play MIDI channel " +
                       std::to_string(channel) + "; choose an instrument preset");
    byChannel->translator.setTargets(channel - 1, targets);
  }
  engine.commit();

  // Tracks named after a node of the default patch that plays notes go to that node alone.
  MidiSchedule schedule;
  std::vector<std::unique_ptr<Route>> byName(file.trackNames.size());
  for (std::size_t t = 0; t < file.trackNames.size(); ++t) {
    const auto node = defaultIds.find(file.trackNames[t]);
    if (node == defaultIds.end() || !graph.node(node->second).type().acceptsNotes) continue;
    byName[t] = std::make_unique<Route>(setup.velocityCurve);
    const std::vector<ChannelTarget> target{
        {node->second, graph.node(node->second).type().bendRangeParameter}};
    for (int channel = 0; channel < 16; ++channel)
      byName[t]->translator.setTargets(channel, target);
    schedule.routedTracks.push_back(file.trackNames[t]);
  }

  const double rate = engine.config().sampleRate;
  for (const TimedMessage& timed : file.events) {
    Message message = timed.message;
    const auto track = static_cast<std::size_t>(timed.track);
    const bool ownPatch = setup.channelPatches.count(message.channel() + 1) > 0;
    Route& route =
        track < byName.size() && byName[track] && !ownPatch ? *byName[track] : *byChannel;
    const int kind = message.kind();
    const bool on = kind == 0x90 && message.data2 > 0;
    const bool off = kind == 0x80 || (kind == 0x90 && message.data2 == 0);
    if (on || off) {
      int& count =
          route.sounding[static_cast<std::size_t>(message.channel())][message.data1 & 0x7F];
      if (off) {
        if (count == 0) continue;   // a note-off with no note: nothing to end
        if (--count > 0) continue;  // an earlier overlapping note still holds the key
      } else {
        ++count;
      }
    }
    const std::uint64_t frame = framesForSeconds(timed.seconds, rate);
    route.translator.translate(message, 0, [&](const NodeEvent& e) {
      schedule.events.push_back({frame, e.node, e.event});
    });
  }
  return schedule;
}

}  // namespace reverie::midi
