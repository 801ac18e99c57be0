// Opening what `reverie render` plays, and rendering it block by block.
#include "cli/render_source.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "arc/arc_setup.hpp"
#include "arc/performance_midi.hpp"
#include "cli/cue_file.hpp"
#include "cli/midi_render.hpp"
#include "io/input_file.hpp"
#include "midi/gm_programs.hpp"
#include "reverie/engine.hpp"
#include "reverie/errors.hpp"
#include "reverie/score.hpp"

namespace reverie::cli {
namespace {

/// How far past the scripted length a cued performance's end is looked for (cues may go back).
constexpr double kCuedSearchSeconds = 600.0;

/// A Standard MIDI File (or RMID) by its extension, or by its first bytes if it exists.
bool isMidiInput(const std::string& input) {
  std::filesystem::path path(input);
  std::string extension = path.extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension == ".mid" || extension == ".midi" || extension == ".rmi" || extension == ".kar")
    return true;
  if (extension == ".toml" || !std::filesystem::is_regular_file(path)) return false;
  std::string head;
  try {
    head = io::readInputHead(path, 12);
  } catch (const io::InputFileError&) {
    return false;  // looked up as a preset next, which reports why it cannot be read
  }
  return midi::looksLikeMidiFile({reinterpret_cast<const std::uint8_t*>(head.data()), head.size()});
}

}  // namespace

RenderSource openSource(const RenderOptions& options) {
  RenderSource source;
  if (!isMidiInput(options.preset)) {
    const std::filesystem::path path = findPreset(options.preset);
    if (isArcFile(path)) {
      if (options.midiOptionsGiven)
        throw InputError(
            "--preset, --channel, --velocity-curve and --mpe apply to MIDI files, and '" +
            options.preset + "' is an arc; drop those options");
      source.arc = loadArc(path);
      source.name = source.arc->name;
      source.lengthSeconds = arc::arcSeconds(*source.arc) - source.arc->tailSeconds;
      source.tailSeconds = source.arc->tailSeconds;
      if (!options.cuesPath.empty()) {
        // A cued performance lasts until its last scene ends, however the cues moved it.
        source.cues = loadCues(options.cuesPath, *source.arc, options.sampleRate);
        const double limit = source.lengthSeconds + kCuedSearchSeconds;
        source.played = arc::performedScenes(
            *source.arc, {options.sampleRate, kRenderBlockFrames, options.seed}, source.cues,
            static_cast<std::uint64_t>(std::llround(limit * options.sampleRate)));
        source.lengthSeconds =
            static_cast<double>(source.played.back().endFrame) / options.sampleRate;
      }
      return source;
    }
    if (options.arcOptionsGiven || !options.midiExportPath.empty() || !options.cuesPath.empty())
      throw InputError(
          "--cues, --export-curves, --export-midi, --plot and --no-labels apply to arcs, and '" +
          options.preset +
          "' is a patch; give an arc (see 'reverie presets'), or drop those options");
    if (options.midiOptionsGiven)
      throw InputError(
          "--preset, --channel, --velocity-curve and --mpe apply to MIDI files, and '" +
          options.preset + "' is a preset; give a .mid file, or drop those options");
    source.patch = loadPatch(path);
    if (source.patch.score.empty())
      source.patch.score = demoPhrase(source.patch);  // an instrument preset
    source.name = source.patch.name;
    source.lengthSeconds = source.patch.lengthSeconds;
    source.tailSeconds = source.patch.tailSeconds;
    return source;
  }
  if (!options.cuesPath.empty())
    throw InputError("--cues cues an arc's composer, and '" + options.preset +
                     "' is a MIDI file; give an arc, or drop --cues");
  if (!options.midiExportPath.empty())
    throw InputError("--export-midi writes what an arc's composer plays, and '" + options.preset +
                     "' is a MIDI file already; drop --export-midi");
  // The mappings are checked before any file is read: a typo costs nothing.
  std::map<int, std::string> mappedBy;  // channel -> the --channel text that mapped it
  for (const std::string& mapping : options.channelMappings) {
    const int channel = parseChannelMapping(mapping).first;
    const auto [earlier, added] = mappedBy.emplace(channel, mapping);
    if (!added)
      throw InputError("--channel " + earlier->second + " and --channel " + mapping +
                       " both map channel " + std::to_string(channel) +
                       "; give each channel one preset");
  }
  source.midiFile = midi::loadMidiFile(options.preset);
  source.name = std::filesystem::path(options.preset).stem().string();
  // Without --preset, program changes choose presets by General MIDI family.
  const midi::GmUse gm = options.midiPresetGiven ? midi::GmUse{} : midi::gmUse(*source.midiFile);
  source.midiPatches.reserve(options.channelMappings.size() + 1 + gm.programs.size());
  source.midiPatches.push_back(loadPatch(findPreset(options.midiPreset)));
  for (const std::string& mapping : options.channelMappings) {
    const auto [channel, preset] = parseChannelMapping(mapping);
    source.midiPatches.push_back(loadPatch(findPreset(preset)));
    source.channelPatch[channel] = source.midiPatches.size() - 1;
  }
  std::map<std::string_view, std::size_t> loaded;  // GM preset name -> index in midiPatches
  for (int program : gm.programs) {
    const std::string_view name = midi::gmPreset(program).preset;
    auto [at, added] = loaded.emplace(name, source.midiPatches.size());
    if (added) source.midiPatches.push_back(loadPatch(findPreset(std::string(name))));
    source.programPatch[program] = at->second;
  }
  for (const std::string& line : midi::gmApproximations(gm))
    std::fprintf(stderr, "reverie: %s\n", line.c_str());
  for (int channel : gm.drumChannels)
    if (!source.channelPatch.contains(channel))
      std::fprintf(stderr,
                   "reverie: channel %d plays General MIDI drums, which no reverie preset plays: "
                   "it is silent; give it one with --channel %d=PRESET (e.g. timpani)\n",
                   channel, channel);
  source.lengthSeconds = source.midiFile->lengthSeconds;
  for (const Patch& patch : source.midiPatches)
    source.tailSeconds = std::max(source.tailSeconds, patch.tailSeconds);
  return source;
}

PatchRender renderSource(const RenderSource& source, const RenderOptions& options, double seconds,
                         const RenderProgress& progress, const BlockSink& sink, StemFiles* stems) {
  // Standard output can be a pipe whose reader stalls: its writes stay on the rendering thread,
  // where Ctrl-C reaches them.
  const bool sinkBehind = options.output != "-";
  if (source.arc) {
    Engine engine(renderEngineConfig(options.sampleRate, options.seed, options.threads));
    const arc::ArcNodes nodes = arc::buildArc(*source.arc, engine.graph());
    if (!source.cues.empty())
      arc::setComposerCues(engine.graph().node(nodes.composer), source.cues);
    engine.commit();
    return renderEvents(engine, {}, seconds, progress, sink, stems, sinkBehind);
  }
  if (!source.midiFile)
    return renderPatch(source.patch,
                       renderEngineConfig(options.sampleRate, options.seed, options.threads),
                       seconds, progress, sink, stems, sinkBehind);
  MidiRenderSetup setup;
  setup.defaultPatch = &source.midiPatches.front();
  for (const auto& [channel, index] : source.channelPatch)
    setup.channelPatches[channel] = &source.midiPatches[index];
  setup.generalMidi = !options.midiPresetGiven;
  for (const auto& [program, index] : source.programPatch)
    setup.programPatches[program] = &source.midiPatches[index];
  setup.velocityCurve = midi::parseVelocityCurve(options.velocityCurve);
  setup.mpe = options.mpe;
  Engine engine(renderEngineConfig(options.sampleRate, options.seed, options.threads));
  std::vector<ScheduledEvent> events = scheduleMidiFile(*source.midiFile, setup, engine);
  return renderEvents(engine, std::move(events), seconds, progress, sink, stems, sinkBehind);
}

std::vector<std::filesystem::path> inputFiles(const RenderSource& source,
                                              const RenderOptions& options) {
  if (source.arc) {
    std::vector<std::filesystem::path> inputs{source.arc->sourcePath, source.arc->patch.sourcePath};
    if (!options.cuesPath.empty()) inputs.emplace_back(options.cuesPath);
    return inputs;
  }
  if (!source.midiFile) return {source.patch.sourcePath};
  std::vector<std::filesystem::path> inputs{options.preset};
  for (const Patch& patch : source.midiPatches) inputs.emplace_back(patch.sourcePath);
  return inputs;
}

}  // namespace reverie::cli
