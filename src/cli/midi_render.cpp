// scheduleMidiFile: build each patch once, route channels to its note players, translate.
#include "cli/midi_render.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "midi/gm_programs.hpp"
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
  const std::vector<midi::ChannelTarget> silent;
  std::array<const std::vector<midi::ChannelTarget>*, 16> current{};
  std::array<bool, 16> followsPrograms{};
  for (int channel = 1; channel <= 16; ++channel) {
    const auto c = static_cast<std::size_t>(channel - 1);
    const auto mapped = setup.channelPatches.find(channel);
    followsPrograms[c] = setup.generalMidi && mapped == setup.channelPatches.end();
    if (mapped != setup.channelPatches.end())
      current[c] = &playersOf(mapped->second, channel);
    else if (setup.generalMidi && midi::isDrumChannel(channel, 0))
      current[c] = &silent;
    else
      current[c] = &playersOf(setup.defaultPatch, channel);
    translator.setTargets(channel - 1, *current[c]);
  }
  engine.commit();

  const double rate = engine.config().sampleRate;
  std::vector<ScheduledEvent> events;
  std::array<std::array<int, 128>, 16> sounding{};  // note-ons not yet ended, per channel and key
  // The players each sounding note started on: its note-off goes there, whatever program the
  // channel has changed to since. The pedal goes to every set the channel has played.
  std::array<std::array<const std::vector<midi::ChannelTarget>*, 128>, 16> startedOn{};
  std::array<std::vector<const std::vector<midi::ChannelTarget>*>, 16> played;
  std::array<int, 16> bank{};
  for (const midi::TimedMessage& timed : file.events) {
    midi::Message message = timed.message;
    const int kind = message.kind();
    const auto c = static_cast<std::size_t>(message.channel());
    const int key = message.data1 & 0x7F;
    const bool on = kind == 0x90 && message.data2 > 0;
    const bool off = kind == 0x80 || (kind == 0x90 && message.data2 == 0);
    if (on || off) {
      int& count = sounding[c][static_cast<std::size_t>(key)];
      if (off) {
        if (count == 0) continue;   // a note-off with no note: nothing to end
        if (--count > 0) continue;  // an earlier overlapping note still holds the key
      } else {
        ++count;
      }
    }
    if (kind == 0xB0 && key == 0) bank[c] = message.data2 & 0x7F;
    if (kind == 0xC0 && followsPrograms[c]) {
      const int channel = static_cast<int>(c) + 1;
      const auto patch = setup.programPatches.find(key);
      if (midi::isDrumChannel(channel, bank[c]))
        current[c] = &silent;
      else if (patch != setup.programPatches.end())
        current[c] = &playersOf(patch->second, channel);
      translator.setTargets(static_cast<int>(c), *current[c]);
    }
    const std::uint64_t frame = framesForSeconds(timed.seconds, rate);
    const auto emit = [&](const NodeEvent& e) { events.push_back({frame, e.node, e.event}); };
    const std::vector<midi::ChannelTarget>* to = current[c];
    if (on) {
      startedOn[c][static_cast<std::size_t>(key)] = to;
      if (std::find(played[c].begin(), played[c].end(), to) == played[c].end())
        played[c].push_back(to);
    }
    if (off && startedOn[c][static_cast<std::size_t>(key)] != nullptr)
      to = startedOn[c][static_cast<std::size_t>(key)];
    const bool pedal = kind == 0xB0 && key == 64;
    if (pedal) {
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
  return events;
}

}  // namespace reverie::cli
