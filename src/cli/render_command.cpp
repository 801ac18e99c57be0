// `reverie render`: a preset to a sound file, faster than real time, never a half-written file.
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "arc/arc_exports.hpp"
#include "arc/arc_setup.hpp"
#include "arc/performance_midi.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/midi_render.hpp"
#include "cli/option_checks.hpp"
#include "cli/patch_render.hpp"
#include "cli/progress_bar.hpp"
#include "io/atomic_file.hpp"
#include "io/input_file.hpp"
#include "reverie/arc.hpp"
#include "reverie/errors.hpp"
#include "reverie/loudness.hpp"
#include "reverie/preset.hpp"
#include "reverie/score.hpp"
#include "reverie/sound_file.hpp"

namespace reverie::cli {
namespace {

struct RenderOptions {
  std::string preset = kDefaultPreset;
  std::string output;
  double sampleRate = 48000.0;
  std::string bits = "24";
  std::uint64_t seed = 1;
  std::optional<double> lengthSeconds;
  std::optional<double> tailSeconds;
  double maxLengthSeconds = kDefaultMaxRenderSeconds;
  std::optional<double> targetLufs;
  double truePeakDbtp = -1.0;
  bool quiet = false;
  // For a MIDI file:
  std::string midiPreset = "glass-harmonica";
  std::vector<std::string> channelMappings;
  std::string velocityCurve = "linear";
  bool mpe = false;
  bool midiOptionsGiven = false;
  // For an arc:
  std::string curvesPath;
  std::string plotPath;
  std::string midiExportPath;
  bool noLabels = false;
  bool arcOptionsGiven = false;
};

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

/// "WAV, 24-bit" and so on, for the summary.
std::string describe(const std::filesystem::path& target, SampleFormat format) {
  std::string container = target.extension().string().substr(target.extension().empty() ? 0 : 1);
  for (char& c : container) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (container == "OGG" || container == "OGA") return "Ogg Vorbis";
  switch (format) {
    case SampleFormat::kPcm16:
      return container + ", 16-bit with TPDF dither";
    case SampleFormat::kPcm24:
      return container + ", 24-bit";
    case SampleFormat::kFloat32:
      return container + ", 32-bit float";
  }
  return container;
}

void writeFile(SoundFileWriter& writer, const std::vector<float>& interleaved,
               const RenderOptions& options) {
  ProgressBar progress("writing  ", !options.quiet);
  const std::size_t frames = interleaved.size() / 2;
  constexpr std::size_t kChunk = 65536;
  for (std::size_t done = 0; done < frames; done += kChunk) {
    if (interrupted()) throw RuntimeFailure("interrupted: nothing was written");
    writer.write(interleaved.data() + 2 * done, std::min(kChunk, frames - done));
    progress.update(static_cast<double>(done) / static_cast<double>(frames));
  }
  progress.finish();
  if (interrupted()) throw RuntimeFailure("interrupted: nothing was written");
  writer.commit();
}

/// What a render plays: a preset with its score, or a MIDI file through presets.
struct RenderSource {
  std::string name;  ///< for the default file name and the summary
  double lengthSeconds = 0.0, tailSeconds = 0.0;
  Patch patch;                              // a preset
  std::optional<midi::MidiFile> midiFile;   // or a MIDI file,
  std::vector<Patch> midiPatches;           // played by these (the first by default)
  std::map<int, std::size_t> channelPatch;  // MIDI channel -> index in midiPatches
  std::optional<Arc> arc;                   // or an arc, performed by the composer
};

/// "1:05.2" for a summary line.
std::string clockTime(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%d:%04.1f", static_cast<int>(seconds) / 60,
                std::fmod(seconds, 60.0));
  return text;
}

/// `target` with its extension replaced: song.wav -> song.labels.txt.
std::filesystem::path besideTarget(const std::filesystem::path& target, const std::string& suffix) {
  std::filesystem::path path = target;
  path.replace_extension(suffix);
  return path;
}

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
      return source;
    }
    if (options.arcOptionsGiven || !options.midiExportPath.empty())
      throw InputError(
          "--export-curves, --export-midi, --plot and --no-labels apply to arcs, and '" +
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
  source.midiPatches.reserve(options.channelMappings.size() + 1);
  source.midiPatches.push_back(loadPatch(findPreset(options.midiPreset)));
  for (const std::string& mapping : options.channelMappings) {
    const auto [channel, preset] = parseChannelMapping(mapping);
    source.midiPatches.push_back(loadPatch(findPreset(preset)));
    source.channelPatch[channel] = source.midiPatches.size() - 1;
  }
  source.lengthSeconds = source.midiFile->lengthSeconds;
  for (const Patch& patch : source.midiPatches)
    source.tailSeconds = std::max(source.tailSeconds, patch.tailSeconds);
  return source;
}

PatchRender renderSource(const RenderSource& source, const RenderOptions& options, double seconds) {
  if (source.arc) {
    Engine engine({options.sampleRate, kRenderBlockFrames, options.seed});
    arc::buildArc(*source.arc, engine.graph());
    engine.commit();
    return renderEvents(engine, {}, seconds, !options.quiet);
  }
  if (!source.midiFile)
    return renderPatch(source.patch, options.sampleRate, options.seed, seconds, !options.quiet);
  MidiRenderSetup setup;
  setup.defaultPatch = &source.midiPatches.front();
  for (const auto& [channel, index] : source.channelPatch)
    setup.channelPatches[channel] = &source.midiPatches[index];
  setup.velocityCurve = midi::parseVelocityCurve(options.velocityCurve);
  setup.mpe = options.mpe;
  Engine engine({options.sampleRate, kRenderBlockFrames, options.seed});
  std::vector<ScheduledEvent> events = scheduleMidiFile(*source.midiFile, setup, engine);
  return renderEvents(engine, std::move(events), seconds, !options.quiet);
}

/// The files a render reads, none of which an output may replace.
std::vector<std::filesystem::path> inputFiles(const RenderSource& source,
                                              const RenderOptions& options) {
  if (source.arc) return {source.arc->sourcePath, source.arc->patch.sourcePath};
  if (!source.midiFile) return {source.patch.sourcePath};
  std::vector<std::filesystem::path> inputs{options.preset};
  for (const Patch& patch : source.midiPatches) inputs.emplace_back(patch.sourcePath);
  return inputs;
}

int runRender(const RenderOptions& options) {
  catchInterrupts();
  const SampleFormat format = parseSampleFormat(options.bits);
  const RenderSource source = openSource(options);
  const std::filesystem::path target =
      options.output.empty() ? source.name + ".wav" : options.output;
  const double length = options.lengthSeconds.value_or(source.lengthSeconds);
  const double tail = options.tailSeconds.value_or(source.tailSeconds);
  // A MIDI file or an arc over the limit is refused even if --length would cut it short.
  const char* kind = source.midiFile ? "MIDI file" : source.arc ? "arc" : "preset";
  const double ownSeconds = source.midiFile || source.arc ? source.lengthSeconds : 0.0;
  checkRenderLength({std::string(kind) + " '" + options.preset + "'", ownSeconds, length, tail},
                    options.maxLengthSeconds);

  // Every output is checked before anything is rendered: none may be an input, another output,
  // a device, FIFO, socket or folder, and the side files need their extensions.
  const std::filesystem::path labelsPath = besideTarget(target, ".labels.txt");
  std::vector<io::PlannedOutput> outputs{
      {target, options.output.empty() ? "the output" : "-o", ""}};
  if (source.arc && !options.noLabels) outputs.push_back({labelsPath, "the label file", ""});
  if (!options.curvesPath.empty())
    outputs.push_back({options.curvesPath, "--export-curves", ".csv"});
  if (!options.plotPath.empty()) outputs.push_back({options.plotPath, "--plot", ".svg"});
  if (!options.midiExportPath.empty())
    outputs.push_back({options.midiExportPath, "--export-midi", ".mid"});
  io::checkOutputs(outputs, inputFiles(source, options));
  // Open the temporary file first: a bad path fails before minutes of rendering, not after.
  SoundFileWriter writer(target, options.sampleRate, 2, format, options.seed);
  for (const std::string& extra : {options.curvesPath, options.plotPath, options.midiExportPath}) {
    if (extra.empty()) continue;
    const std::filesystem::path folder = std::filesystem::absolute(extra).parent_path();
    if (!std::filesystem::is_directory(folder))
      throw InputError("cannot write '" + extra + "': the folder '" + folder.string() +
                       "' does not exist; create it or choose another path");
  }
  std::optional<Timeline> timeline;
  if (source.arc) {
    timeline.emplace(*source.arc, options.sampleRate);
    std::vector<CueMarker> markers;
    for (std::size_t i = 0; i < timeline->spans().size(); ++i)
      if (static_cast<double>(timeline->spans()[i].startFrame) <
          (length + tail) * options.sampleRate)
        markers.push_back({timeline->spans()[i].startFrame, source.arc->scenes[i].name});
    writer.setCueMarkers(std::move(markers));
  }
  PatchRender render = renderSource(source, options, length + tail);
  std::vector<float>& audio = render.interleaved;
  LoudnessStats loudness;
  if (options.targetLufs) {
    loudness =
        normalizeLoudness(audio, 2, options.sampleRate, *options.targetLufs, options.truePeakDbtp)
            .result;
  } else {
    loudness = measureLoudness(audio.data(), audio.size() / 2, 2, options.sampleRate);
  }
  writeFile(writer, audio, options);
  std::vector<std::string> extras;
  if (source.arc) {
    // The sound file is safe on disk; the files that describe it follow, each written whole.
    const double seconds = static_cast<double>(audio.size() / 2) / options.sampleRate;
    if (!options.noLabels) {
      arc::writeAudacityLabels(labelsPath, *source.arc, *timeline);
      extras.push_back("scene labels " + labelsPath.string());
    }
    if (!options.curvesPath.empty()) {
      arc::writeCurvesCsv(options.curvesPath, *source.arc, *timeline, seconds);
      extras.push_back("curves " + options.curvesPath);
    }
    if (!options.plotPath.empty()) {
      const auto loudnessTrack =
          arc::shortTermLoudness(audio.data(), audio.size() / 2, 2, options.sampleRate);
      arc::writeArcPlot(options.plotPath, *source.arc, *timeline, seconds, loudnessTrack);
      extras.push_back("plot " + options.plotPath);
    }
    if (!options.midiExportPath.empty())
      extras.push_back(arc::exportPerformanceMidi(
          options.midiExportPath, *source.arc,
          {options.sampleRate, kRenderBlockFrames, options.seed}, audio.size() / 2));
  }

  if (!options.quiet) {
    std::fprintf(stderr,
                 "reverie: rendered '%s' to %s (%s, %.0f Hz, stereo, seed %llu)\n"
                 "  length %.2f s | %.1fx realtime | peak %.1f dBFS | true peak %.1f dBTP | %.1f "
                 "LUFS integrated\n",
                 source.name.c_str(), target.string().c_str(), describe(target, format).c_str(),
                 options.sampleRate, static_cast<unsigned long long>(options.seed), length + tail,
                 render.realtimeFactor, loudness.samplePeakDbfs, loudness.truePeakDbtp,
                 loudness.integratedLufs);
    if (source.arc) {
      std::string scenes = "  scenes:";
      for (std::size_t i = 0; i < timeline->spans().size(); ++i)
        if (timeline->spans()[i].startSeconds < length + tail)
          scenes += (i == 0 ? " " : ", ") + source.arc->scenes[i].name + " " +
                    clockTime(timeline->spans()[i].startSeconds);
      std::fprintf(stderr, "%s\n", scenes.c_str());
      if (writer.supportsCueMarkers())
        std::fprintf(stderr, "  scene markers written as cue points\n");
      for (const std::string& extra : extras) std::fprintf(stderr, "  wrote %s\n", extra.c_str());
    }
  }
  if (interrupted()) {  // too late to stop: the files are whole, but the exit says what came
    std::fprintf(stderr, "reverie: interrupted after %s was written\n", target.string().c_str());
    return interruptExitCode();
  }
  return 0;
}

}  // namespace

void addRenderCommand(CLI::App& app, Action& action) {
  auto options = std::make_shared<RenderOptions>();
  CLI::App* render = app.add_subcommand("render",
                                        "Render an arc, a preset or a MIDI file to a sound file "
                                        "(WAV, FLAC, OGG or AIFF), faster than real time");
  render->footer(
      "Every output (sound, labels, curves, plot) is written to an unnamed temporary file in the\n"
      "target's folder and put in place only when complete, so an error, a signal or even a kill\n"
      "never leaves half a file and never harms an existing one. A symlinked target is written\n"
      "through to its file; the input, a device, FIFO or folder is never written over.\n"
      "The same preset, seed, rate and build always give a bit-identical WAV, FLAC or AIFF\n"
      "(Ogg streams carry a random serial number, so only their audio repeats).\n\n"
      "A Standard MIDI File (format 0 or 1, .mid/.midi/.rmi) plays through --preset, and any\n"
      "channel through its own with --channel, e.g.\n"
      "  reverie render song.mid --preset glass-harmonica --channel 10=timpani -o song.wav\n"
      "--mpe reads channel 1 as an MPE lower zone's manager and 2-16 as single notes.\n"
      "Its length is the file's, plus the presets' tail. Program changes in the file are "
      "ignored.\n\n"
      "An arc (presets/arcs/) is performed by the composer, new from every seed:\n"
      "  reverie render                       renders the default arc, the-performance\n"
      "  reverie render the-performance --seed 7 -o take7.wav --export-curves curves.csv --plot "
      "arc.svg\n"
      "Scene names go into the WAV as cue points and beside it as an Audacity label file\n"
      "(take7.labels.txt: File > Import > Labels).");
  render
      ->add_option(
          "preset", options->preset,
          "Arc or preset name (see 'reverie presets'), path to a .toml file, or a MIDI file")
      ->default_str(kDefaultPreset);
  CLI::Option* midiPreset =
      render
          ->add_option("--preset", options->midiPreset, "MIDI file only: the preset that plays it")
          ->default_str("glass-harmonica");
  CLI::Option* channels = render->add_option(
      "--channel", options->channelMappings,
      "MIDI file only: CHANNEL=PRESET, a channel (1-16) played by its own preset; repeatable");
  CLI::Option* curve =
      render
          ->add_option("--velocity-curve", options->velocityCurve,
                       "MIDI file only: linear, soft, hard, fixed=0.7, or an exponent")
          ->default_str("linear");
  CLI::Option* mpe =
      render->add_flag("--mpe", options->mpe, "MIDI file only: play it as MPE (lower zone)");
  render
      ->add_option("-o,--output", options->output,
                   "Output file; the format follows the extension (.wav .flac .ogg .aiff) "
                   "[default: PRESET.wav]")
      ->check(nonEmptyPath());
  render->add_option("-r,--rate", options->sampleRate, "Sample rate in Hz")
      ->check(finiteIn(22050.0, 192000.0, "Hz"))
      ->default_str("48000");
  render->add_option("-b,--bits", options->bits, "Sample format: 16 (TPDF-dithered), 24 or 32f")
      ->check(CLI::IsMember({"16", "24", "32f"}))
      ->default_str("24");
  render->add_option("--seed", options->seed, "Seed for every random choice")
      ->check(seedValue())
      ->default_str("1");
  render
      ->add_option("--length", options->lengthSeconds,
                   "Seconds to render before the tail [default: the preset's]")
      ->check(finiteIn(0.001, kHighestMaxRenderSeconds, "seconds"));
  render
      ->add_option("--tail", options->tailSeconds,
                   "Seconds to let the sound ring on after that [default: the preset's]")
      ->check(finiteIn(0.0, 600.0, "seconds"));
  render
      ->add_option(
          "--max-length", options->maxLengthSeconds,
          "Longest render in seconds: a longer MIDI file, arc or --length plus --tail is refused")
      ->check(finiteIn(1.0, kHighestMaxRenderSeconds, "seconds"))
      ->capture_default_str();
  CLI::Option* target =
      render
          ->add_option("--target-lufs", options->targetLufs,
                       "Normalise to this integrated loudness (EBU R128), e.g. -16")
          ->check(finiteIn(-70.0, 0.0, "LUFS"));
  render
      ->add_option("--true-peak", options->truePeakDbtp,
                   "True-peak ceiling in dBTP used with --target-lufs")
      ->check(finiteIn(-20.0, 0.0, "dBTP"))
      ->needs(target)
      ->default_str("-1");
  CLI::Option* curves =
      render->add_option("--export-curves", options->curvesPath,
                         "Arc only: write the scripted curves (tension, dynamics, density, "
                         "brightness) every 10 ms to this CSV");
  CLI::Option* plot = render->add_option(
      "--plot", options->plotPath,
      "Arc only: draw the scripted curves and scenes over the measured loudness, as SVG");
  render->add_option(
      "--export-midi", options->midiExportPath,
      "Arc only: write what the composer played as a type-1 MIDI file (.mid): a track per "
      "section, tempo map, meters, keys and scene markers");
  CLI::Option* labels = render->add_flag("--no-labels", options->noLabels,
                                         "Arc only: no Audacity label file beside the output");
  render->add_flag("-q,--quiet", options->quiet, "No progress bar and no summary");
  render->callback([options, &action, midiPreset, channels, curve, mpe, curves, plot, labels] {
    options->midiOptionsGiven =
        midiPreset->count() + channels->count() + curve->count() + mpe->count() > 0;
    options->arcOptionsGiven = curves->count() + plot->count() + labels->count() > 0;
    action = [options] {
      return preparingInput(options->preset, "render",
                            "render part of it with --length, or split it into shorter files",
                            [&] { return runRender(*options); });
    };
  });
}

}  // namespace reverie::cli
