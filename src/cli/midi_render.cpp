// scheduleMidiFile: build each patch once, route channels to its note players, translate.
#include "cli/midi_render.hpp"

#include <array>
#include <cmath>

#include "reverie/errors.hpp"
#include "reverie/score.hpp"

namespace reverie::cli {
namespace {

std::vector<midi::ChannelTarget> notePlayers(const Patch& patch,
                                             const std::map<std::string, NodeId>& ids,
                                             const Graph& graph) {
  std::vector<midi::ChannelTarget> targets;
  for (const NodeSpec& spec : patch.nodes) {
    const NodeId id = ids.at(spec.name);
    const NodeType& type = graph.node(id).type();
    if (type.acceptsNotes) targets.push_back({id, type.bendRangeParameter});
  }
  return targets;
}

}  // namespace

std::pair<int, std::string> parseChannelMapping(const std::string& text) {
  const std::size_t equals = text.find('=');
  const std::string rule =
      "; write CHANNEL=PRESET with a channel from 1 to 16, e.g. --channel 10=timpani";
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size())
    throw InputError("--channel '" + text + "' is not a mapping" + rule);
  int channel = 0;
  for (char c : text.substr(0, equals)) {
    if (c < '0' || c > '9' || channel > 16)
      throw InputError("--channel '" + text + "': bad channel" + rule);
    channel = channel * 10 + (c - '0');
  }
  if (channel < 1 || channel > 16)
    throw InputError("--channel '" + text + "': channel " + std::to_string(channel) +
                     " is not 1 to 16" + rule);
  return {channel, text.substr(equals + 1)};
}

std::vector<ScheduledEvent> scheduleMidiFile(const midi::MidiFile& file,
                                             const MidiRenderSetup& setup, Engine& engine) {
  Graph& graph = engine.graph();
  midi::Translator translator(setup.velocityCurve);
  translator.setMpe(setup.mpe);
  // Each distinct patch is built once; the first keeps its own node names.
  std::map<const Patch*, std::vector<midi::ChannelTarget>> built;
  auto build = [&](const Patch* patch) -> const std::vector<midi::ChannelTarget>& {
    auto found = built.find(patch);
    if (found != built.end()) return found->second;
    const std::string prefix =
        built.empty() ? std::string() : "p" + std::to_string(built.size()) + "-";
    const auto ids = buildGraph(*patch, graph, prefix);
    for (const auto& [name, id] : ids) {
      const int mpe = graph.node(id).type().mpeParameter;
      if (setup.mpe && mpe >= 0) graph.setParameter(id, mpe, NodeType::kMpeLowerZone);
    }
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
    translator.setTargets(channel - 1, targets);
  }
  engine.commit();

  const double rate = engine.config().sampleRate;
  std::vector<ScheduledEvent> events;
  std::array<std::array<int, 128>, 16> sounding{};  // note-ons not yet ended, per channel and key
  for (const midi::TimedMessage& timed : file.events) {
    midi::Message message = timed.message;
    const int kind = message.kind();
    const bool on = kind == 0x90 && message.data2 > 0;
    const bool off = kind == 0x80 || (kind == 0x90 && message.data2 == 0);
    if (on || off) {
      int& count = sounding[static_cast<std::size_t>(message.channel())][message.data1 & 0x7F];
      if (off) {
        if (count == 0) continue;   // a note-off with no note: nothing to end
        if (--count > 0) continue;  // an earlier overlapping note still holds the key
      } else {
        ++count;
      }
    }
    const std::uint64_t frame = framesForSeconds(timed.seconds, rate);
    translator.translate(message, 0, [&](const NodeEvent& e) {
      events.push_back({frame, e.node, e.event});
    });
  }
  return events;
}

}  // namespace reverie::cli
