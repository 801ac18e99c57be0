// The composer's performance captured offline and written as MIDI: conductor, then sections.
#include "arc/performance_midi.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "arc/arc_setup.hpp"
#include "io/atomic_file.hpp"
#include "midi/smf_writer.hpp"

namespace reverie::arc {
namespace {

/// Records what a generator writes, at absolute frames.
class RecordingSink final : public EventSink {
 public:
  RecordingSink(std::vector<PerformedEvent>& out, const std::uint64_t& position)
      : out_(out), position_(position) {}
  bool emit(NodeId node, const Event& event) noexcept override {
    out_.push_back({position_ + event.frame, node, event});  // offline only: may allocate
    return true;
  }

 private:
  std::vector<PerformedEvent>& out_;
  const std::uint64_t& position_;
};

std::uint8_t midiValue(float value, int lowest) {
  return static_cast<std::uint8_t>(
      std::clamp(static_cast<int>(std::lround(value * 127.0f)), lowest, 127));
}

/// Channels 0..15 without 9 (GM drums), in turn.
std::uint8_t channelFor(std::size_t track) {
  const auto channel = static_cast<std::uint8_t>(track % 15);
  return channel >= 9 ? channel + 1 : channel;
}

/// Drops what a generator writes.
class NullSink final : public EventSink {
 public:
  bool emit(NodeId, const Event&) noexcept override { return true; }
};

/// The composer of `arc` alone, offline, until `done` says so or `frames` have been played.
/// The same engine setup as the render's, so every node is prepared with the same seed; the
/// engine never processes: only the composer runs, here, on this thread.
template <typename MakeSink, typename Done>
void runComposer(const Arc& arc, const EngineConfig& config, const std::vector<ComposerCue>& cues,
                 std::uint64_t frames, MakeSink makeSink, Done done) {
  Engine engine(config);
  const ArcNodes nodes = buildArc(arc, engine.graph());
  if (!cues.empty()) setComposerCues(engine.graph().node(nodes.composer), cues);
  engine.commit();
  Node& composer = engine.graph().node(nodes.composer);
  std::uint64_t position = 0;
  auto sink = makeSink(nodes, position);
  while (!done(composer) && position < frames) {
    const auto block = static_cast<int>(std::min<std::uint64_t>(
        frames - position, static_cast<std::uint64_t>(config.maxBlockFrames)));
    composer.generate(block, sink);
    position += static_cast<std::uint64_t>(block);
  }
}

}  // namespace

Performance capturePerformance(const Arc& arc, const EngineConfig& config, std::uint64_t frames,
                               const std::vector<ComposerCue>& cues) {
  Performance performance;
  runComposer(
      arc, config, cues, frames,
      [&](const ArcNodes& nodes, const std::uint64_t& position) {
        for (const auto& [name, id] : nodes.ids) performance.names[id] = name;
        return RecordingSink(performance.events, position);
      },
      [](const Node&) { return false; });
  return performance;
}

std::vector<PlayedScene> performedScenes(const Arc& arc, const EngineConfig& config,
                                         const std::vector<ComposerCue>& cues,
                                         std::uint64_t limit) {
  // Scenes last a beat at least, longer than a block: each is seen after the block it starts in.
  std::vector<PlayedScene> scenes;
  std::optional<std::uint64_t> end;
  const auto look = [&](const Node& composer) {
    end = composerEndFrame(composer);
    const auto scene = static_cast<std::size_t>(composerScene(composer));
    const std::uint64_t start = composerSceneStart(composer);
    if (!end &&
        (scenes.empty() || scenes.back().scene != scene || scenes.back().startFrame != start)) {
      if (!scenes.empty()) scenes.back().endFrame = start;
      scenes.push_back({scene, start, limit});
    }
    return end.has_value();
  };
  runComposer(
      arc, config, cues, limit, [](const ArcNodes&, const std::uint64_t&) { return NullSink(); },
      look);
  if (end && !scenes.empty()) scenes.back().endFrame = *end;
  return scenes;
}

MidiExport performanceMidi(const Arc& arc, const Performance& performance, double sampleRate,
                           std::uint64_t endFrame) {
  constexpr int kPpq = kExportTicksPerQuarter;
  const Timeline timeline(arc, sampleRate);
  const std::uint64_t ticksPerBar = static_cast<std::uint64_t>(arc.beatsPerBar) * kPpq * 4 /
                                    static_cast<std::uint64_t>(arc.beatUnit);

  // The conductor: each scene on its bar line, counted in whole bars from the start.
  midi::Track conductor;
  conductor.text(0, midi::meta::kTrackName, arc.name);
  std::vector<midi::TempoPoint> tempi;
  std::uint64_t sceneTick = 0;
  for (std::size_t i = 0; i < arc.scenes.size(); ++i) {
    if (timeline.spans()[i].startFrame >= endFrame && i > 0) break;
    const Scene& scene = arc.scenes[i];
    const auto micros = static_cast<std::uint32_t>(std::llround(60e6 / scene.tempo));
    tempi.push_back({sceneTick, micros});
    conductor.meta(sceneTick, midi::meta::kTempo,
                   {static_cast<std::uint8_t>(micros >> 16), static_cast<std::uint8_t>(micros >> 8),
                    static_cast<std::uint8_t>(micros)});
    conductor.meta(sceneTick, midi::meta::kTimeSignature,
                   midi::timeSignatureData(arc.beatsPerBar, arc.beatUnit));
    conductor.meta(sceneTick, midi::meta::kKeySignature,
                   midi::keySignatureData(arc.homeKey + scene.transpose, arc.mode == Mode::kMinor));
    conductor.text(sceneTick, midi::meta::kMarker, scene.name);
    sceneTick += ticksPerBar * static_cast<std::uint64_t>(scene.bars);
  }
  const midi::TempoMap map(kPpq, tempi);

  // Sections in patch order: the nodes that got notes or controllers.
  std::map<NodeId, std::size_t> trackOf;
  for (const PerformedEvent& e : performance.events)
    if (e.event.type != EventType::kParameter) trackOf[e.node] = 0;
  std::vector<midi::Track> tracks(1);
  for (const NodeSpec& spec : arc.patch.nodes) {
    for (auto& [node, track] : trackOf) {
      if (performance.names.at(node) != spec.name) continue;
      track = tracks.size();
      tracks.emplace_back().text(0, midi::meta::kTrackName, spec.name);
    }
  }

  MidiExport result;
  std::vector<std::array<bool, 128>> sounding(tracks.size());
  auto place = [&](std::uint64_t frame) {
    const midi::TempoMap::Placement placed = map.tickForFrame(frame, sampleRate);
    if (!placed.exact) ++result.inexact;
    return placed.tick;
  };
  for (const PerformedEvent& e : performance.events) {
    if (e.frame >= endFrame) continue;
    if (e.event.type == EventType::kParameter) {
      ++result.skippedParameters;
      continue;
    }
    const std::size_t index = trackOf.at(e.node);
    midi::Track& track = tracks[index];
    const std::uint8_t channel = channelFor(index - 1);
    const auto key = static_cast<std::uint8_t>(e.event.index & 0x7F);
    switch (e.event.type) {
      case EventType::kNoteOn:
        track.channel(place(e.frame), 0x90 | channel, key, midiValue(e.event.value, 1));
        sounding[index][key] = true;
        ++result.notes;
        break;
      case EventType::kNoteOff:
        track.channel(place(e.frame), 0x80 | channel, key, midiValue(e.event.value, 0));
        sounding[index][key] = false;
        break;
      case EventType::kControlChange:
        track.channel(place(e.frame), 0xB0 | channel, key, midiValue(e.event.value, 0));
        ++result.controllers;
        break;
      default:  // the composer writes no bends or pressure
        ++result.skippedParameters;
        break;
    }
  }
  const std::uint64_t endTick = map.tickForFrame(endFrame, sampleRate).tick;
  for (std::size_t index = 1; index < tracks.size(); ++index)
    for (int key = 0; key < 128; ++key)
      if (sounding[index][static_cast<std::size_t>(key)]) {
        tracks[index].channel(endTick, 0x80 | channelFor(index - 1), static_cast<std::uint8_t>(key),
                              64);
        ++result.closed;
      }
  result.tracks = static_cast<int>(tracks.size());
  tracks.front() = std::move(conductor);
  result.bytes = midi::encodeFormat1(kPpq, std::move(tracks), endTick);
  return result;
}

MidiExport writePerformanceMidi(const std::filesystem::path& path, const Arc& arc,
                                const Performance& performance, double sampleRate,
                                std::uint64_t endFrame) {
  MidiExport result = performanceMidi(arc, performance, sampleRate, endFrame);
  io::writeFileAtomically(
      path, {reinterpret_cast<const char*>(result.bytes.data()), result.bytes.size()});
  return result;
}

std::string exportPerformanceMidi(const std::filesystem::path& path, const Arc& arc,
                                  const EngineConfig& config, std::uint64_t frames,
                                  const std::vector<ComposerCue>& cues) {
  const Performance performance = capturePerformance(arc, config, frames, cues);
  const MidiExport written =
      writePerformanceMidi(path, arc, performance, config.sampleRate, frames);
  std::string line = "MIDI " + path.string() + " (" + std::to_string(written.tracks) + " tracks, " +
                     std::to_string(written.notes) + " notes, " +
                     std::to_string(written.controllers) + " controller changes; " +
                     std::to_string(written.skippedParameters) +
                     " parameter changes have no MIDI form and were left out";
  if (written.inexact > 0)
    line += "; " + std::to_string(written.inexact) +
            " events a frame off: at this rate and tempo a tick is longer than a frame";
  if (written.closed > 0) line += "; " + std::to_string(written.closed) + " notes ended at the cut";
  return line + ")";
}

}  // namespace reverie::arc
