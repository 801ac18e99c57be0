// What `reverie render` plays (an arc, a preset or a MIDI file through presets) and rendering it.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "arc/arc_exports.hpp"
#include "arc/composer.hpp"
#include "cli/patch_render.hpp"
#include "cli/render_run.hpp"
#include "midi/smf_reader.hpp"
#include "reverie/arc.hpp"
#include "reverie/preset.hpp"

namespace reverie::cli {

/// What a render plays: a preset with its score, or a MIDI file through presets.
struct RenderSource {
  std::string name;  ///< for the default file name and the summary
  double lengthSeconds = 0.0, tailSeconds = 0.0;
  Patch patch;                              // a preset
  std::optional<midi::MidiFile> midiFile;   // or a MIDI file,
  std::vector<Patch> midiPatches;           // played by these (the first by default)
  std::map<int, std::size_t> channelPatch;  // MIDI channel -> index in midiPatches
  std::map<int, std::size_t> programPatch;  // General MIDI program -> index in midiPatches
  std::optional<Arc> arc;                   // or an arc, performed by the composer
  std::vector<arc::ComposerCue> cues;       // with these cues (--cues),
  std::vector<arc::PlayedScene> played;     // its scenes as they play with them
};

/// Loads what `options.preset` names. Throws InputError.
RenderSource openSource(const RenderOptions& options);

/// Renders `seconds` of `source` into `sink` (see renderEvents).
PatchRender renderSource(const RenderSource& source, const RenderOptions& options, double seconds,
                         const RenderProgress& progress, const BlockSink& sink,
                         StemFiles* stems = nullptr);

/// The files a render reads, none of which an output may replace.
std::vector<std::filesystem::path> inputFiles(const RenderSource& source,
                                              const RenderOptions& options);

}  // namespace reverie::cli
