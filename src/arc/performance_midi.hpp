// `reverie render ARC --export-midi FILE`: what the composer played, as a type-1 Standard MIDI
// File. The composer is run a second time, alone and offline, with a sink that records what it
// writes: the render itself is not touched, and the composer's events depend only on the arc,
// rate and seed (never on the audio, the block size or the block boundaries).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "arc/arc_exports.hpp"
#include "arc/composer.hpp"
#include "reverie/arc.hpp"
#include "reverie/engine.hpp"
#include "reverie/event.hpp"

namespace reverie::arc {

/// One event the composer wrote, at its absolute frame.
struct PerformedEvent {
  std::uint64_t frame = 0;
  NodeId node = kInvalidNode;
  Event event;  ///< its frame is relative to the block it was written in; use `frame`
};

struct Performance {
  std::vector<PerformedEvent> events;   ///< in the order the composer wrote them
  std::map<NodeId, std::string> names;  ///< the patch's nodes, as named in the patch
};

/// The composer's events over the first `frames` frames of an offline render of `arc` with
/// `config` (its rate and seed; any block size gives the same events), played with `cues`.
/// Control thread.
Performance capturePerformance(const Arc& arc, const EngineConfig& config, std::uint64_t frames,
                               const std::vector<ComposerCue>& cues = {});

/// The scenes of the performance of `arc` with `cues` and `config`, in the order played, up to
/// where its last scene ends, or to `limit` if it plays on past it (a hold never cued). Runs the
/// composer alone; its events depend on nothing else.
std::vector<PlayedScene> performedScenes(const Arc& arc, const EngineConfig& config,
                                         const std::vector<ComposerCue>& cues, std::uint64_t limit);

/// Ticks per quarter note of an exported file: divisible by 2..6, 8, 16 and 17, and fine
/// enough that a tick is shorter than a frame at 48 kHz from 88.3 bpm up, so every event
/// lands on its own frame when the file is read back.
inline constexpr int kExportTicksPerQuarter = 32640;

struct MidiExport {
  std::vector<std::uint8_t> bytes;  ///< the file
  int tracks = 0;                   ///< the conductor and one per section that played
  std::size_t notes = 0, controllers = 0;
  std::size_t skippedParameters = 0;  ///< parameter events with no MIDI form, not written
  std::size_t inexact = 0;  ///< events whose tick is a frame away (ticks longer than frames)
  std::size_t closed = 0;   ///< notes still sounding at the end, ended there
};

/// The performance over frames [0, endFrame) as a format-1 file: a conductor track (the arc's
/// name; per scene starting before `endFrame`, at its bar line: tempo, time signature, key
/// signature and a marker with its name), then one track per patch node that got notes or
/// controllers, named after the node, on its own channel (1-16 without 10, in patch order).
MidiExport performanceMidi(const Arc& arc, const Performance& performance, double sampleRate,
                           std::uint64_t endFrame);

/// Writes performanceMidi atomically to `path`; throws RuntimeFailure naming it.
MidiExport writePerformanceMidi(const std::filesystem::path& path, const Arc& arc,
                                const Performance& performance, double sampleRate,
                                std::uint64_t endFrame);

/// What `render --export-midi` does: captures the first `frames` frames of the performance with
/// `config`, writes them to `path`, and says what it wrote in one line for the summary.
std::string exportPerformanceMidi(const std::filesystem::path& path, const Arc& arc,
                                  const EngineConfig& config, std::uint64_t frames,
                                  const std::vector<ComposerCue>& cues = {});

}  // namespace reverie::arc
