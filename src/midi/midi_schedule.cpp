// scheduleFile: build each patch once, route tracks by name and channels to note players.
#include "midi/midi_schedule.hpp"

#include <algorithm>
#include <array>
#include <memory>

#include "midi/gm_programs.hpp"
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
  const auto playersOf = [&](const Patch* patch, int channel) -> const auto& {
    const auto& targets = build(patch);
    if (targets.empty())
      throw InputError("preset '" + patch->name +
                       "' has no node that plays notes, so it cannot play MIDI channel " +
                       std::to_string(channel) + "; choose an instrument preset");
    return targets;
  };
  // Every patch is built before any channel is routed, in one order (the default, the
  // channels' own, the programs'), so a patch's node names, and with them its seeds, do not
  // hang on which channel asks for it first.
  build(setup.defaultPatch);
  for (const auto& [channel, patch] : setup.channelPatches) build(patch);
  for (const auto& [program, patch] : setup.programPatches) build(patch);
  // What each channel plays now: a patch's note players, or none (a silent drum channel).
  const std::vector<ChannelTarget> silent;
  std::array<const std::vector<ChannelTarget>*, 16> current{};
  std::array<bool, 16> followsPrograms{};
  for (int channel = 1; channel <= 16; ++channel) {
    const auto c = static_cast<std::size_t>(channel - 1);
    const auto mapped = setup.channelPatches.find(channel);
    followsPrograms[c] = setup.generalMidi && mapped == setup.channelPatches.end();
    if (mapped != setup.channelPatches.end())
      current[c] = &playersOf(mapped->second, channel);
    else if (setup.generalMidi && isDrumChannel(channel, 0))
      current[c] = &silent;
    else
      current[c] = &playersOf(setup.defaultPatch, channel);
    byChannel->translator.setTargets(channel - 1, *current[c]);
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
  // By channel, the players each sounding note started on: its note-off goes there, whatever
  // program the channel has changed to since. The pedal goes to every set the channel played.
  std::array<std::array<const std::vector<ChannelTarget>*, 128>, 16> startedOn{};
  std::array<std::vector<const std::vector<ChannelTarget>*>, 16> played;
  std::array<int, 16> bank{};
  for (const TimedMessage& timed : file.events) {
    Message message = timed.message;
    const auto track = static_cast<std::size_t>(timed.track);
    const bool ownPatch = setup.channelPatches.count(message.channel() + 1) > 0;
    const bool named = track < byName.size() && byName[track] && !ownPatch;
    Route& route = named ? *byName[track] : *byChannel;
    const int kind = message.kind();
    const auto c = static_cast<std::size_t>(message.channel());
    const int key = message.data1 & 0x7F;
    const bool on = kind == 0x90 && message.data2 > 0;
    const bool off = kind == 0x80 || (kind == 0x90 && message.data2 == 0);
    if (on || off) {
      int& count = route.sounding[c][static_cast<std::size_t>(key)];
      if (off) {
        if (count == 0) continue;   // a note-off with no note: nothing to end
        if (--count > 0) continue;  // an earlier overlapping note still holds the key
      } else {
        ++count;
      }
    }
    const std::uint64_t frame = framesForSeconds(timed.seconds, rate);
    const auto emit = [&](const NodeEvent& e) {
      schedule.events.push_back({frame, e.node, e.event});
    };
    if (named) {
      route.translator.translate(message, 0, emit);
      continue;
    }
    Translator& translator = byChannel->translator;
    if (kind == 0xB0 && key == 0) bank[c] = message.data2 & 0x7F;
    if (kind == 0xC0 && followsPrograms[c]) {
      const int channel = static_cast<int>(c) + 1;
      const auto patch = setup.programPatches.find(key);
      if (isDrumChannel(channel, bank[c]))
        current[c] = &silent;
      else if (patch != setup.programPatches.end())
        current[c] = &playersOf(patch->second, channel);
      translator.setTargets(static_cast<int>(c), *current[c]);
    }
    const std::vector<ChannelTarget>* to = current[c];
    if (on) {
      startedOn[c][static_cast<std::size_t>(key)] = to;
      if (std::find(played[c].begin(), played[c].end(), to) == played[c].end())
        played[c].push_back(to);
    }
    if (off && startedOn[c][static_cast<std::size_t>(key)] != nullptr)
      to = startedOn[c][static_cast<std::size_t>(key)];
    if (kind == 0xB0 && key == 64) {
      for (const auto* set : played[c])
        if (set != current[c]) {
          translator.setTargets(static_cast<int>(c), *set);
          translator.translate(message, 0, emit);
        }
    }
    if (to != current[c]) translator.setTargets(static_cast<int>(c), *to);
    translator.translate(message, 0, emit);
    if (to != current[c]) translator.setTargets(static_cast<int>(c), *current[c]);
  }
  return schedule;
}

}  // namespace reverie::midi
