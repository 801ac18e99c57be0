// `reverie render`'s run: the source rendered block by block straight into the file (or standard
// output), so memory stays the same for a minute or a day; --target-lufs parks the render as float
// on disk, plans the gain over it and then writes.
#include "cli/render_run.hpp"

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "arc/arc_exports.hpp"
#include "arc/performance_midi.hpp"
#include "cli/interrupt.hpp"
#include "cli/progress_bar.hpp"
#include "cli/render_source.hpp"
#include "cli/stem_files.hpp"
#include "io/atomic_file.hpp"
#include "io/float_spool.hpp"
#include "io/loudness_stream.hpp"
#include "io/pipe_writer.hpp"
#include "reverie/errors.hpp"
#include "reverie/offline_clock.hpp"
#include "reverie/sound_file.hpp"

namespace reverie::cli {
namespace {

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

/// The render's destination: a file written atomically, or a stream on standard output.
class Destination {
 public:
  bool toStdout() const { return pipe_.has_value(); }
  void openFile(const std::filesystem::path& target, const RenderOptions& options,
                SampleFormat format) {
    file_.emplace(target, options.sampleRate, 2, format, options.seed);
  }
  void openPipe(io::PipeType type, const RenderOptions& options, SampleFormat format,
                std::optional<std::uint64_t> frames, std::vector<CueMarker> markers) {
    // A reader that quits makes write() fail with EPIPE, reported, instead of killing reverie.
    std::signal(SIGPIPE, SIG_IGN);
    pipe_.emplace(STDOUT_FILENO, type, options.sampleRate, 2, format, options.seed, frames,
                  std::move(markers));
  }
  void setCueMarkers(std::vector<CueMarker> markers) {
    if (file_) file_->setCueMarkers(std::move(markers));
  }
  bool carriesCueMarkers() const {
    return file_ ? file_->supportsCueMarkers() : pipe_->carriesCueMarkers();
  }
  void write(const float* interleaved, std::size_t frames) {
    if (file_) {
      file_->write(interleaved, frames);
    } else {
      pipe_->write(interleaved, frames);
    }
  }
  void commit() {
    if (file_) {
      file_->commit();
    } else {
      pipe_->finish();
    }
  }

 private:
  std::optional<SoundFileWriter> file_;
  std::optional<io::PipeWriter> pipe_;
};

/// Refuses combinations of -o -, -t, -b and --length inf that cannot work, before any work.
std::optional<io::PipeType> checkStreamOptions(const RenderOptions& options, bool endless) {
  const bool toStdout = options.output == "-";
  if (!toStdout) {
    if (!options.streamType.empty())
      throw InputError("-t " + options.streamType +
                       " applies to standard output (-o -); a file's type follows its extension");
    if (endless)
      throw InputError(
          "--length inf streams to standard output only; add -o - -t TYPE, e.g. "
          "'reverie render PRESET --length inf -o - -t flac | ...'");
    return std::nullopt;
  }
  const io::PipeType type =
      io::parsePipeType(options.streamType.empty() ? "wav" : options.streamType);
  if (type == io::PipeType::kRaw && options.bitsGiven && options.bits != "32" &&
      options.bits != "32f")
    throw InputError("-t raw is 32-bit float samples; drop -b " + options.bits +
                     " (or use -t wav)");
  if (isatty(STDOUT_FILENO))
    throw InputError(
        "-o - writes audio to standard output, which is a terminal here; pipe it "
        "into a program (| ffmpeg -i - ...) or redirect it (> take.wav)");
  if (endless && options.targetLufs)
    throw InputError(
        "--target-lufs measures the whole render first, and --length inf has no "
        "end; give a --length in seconds");
  return type;
}

/// RIFF and AIFF count their bytes in 32 bits: refuses, before rendering, a WAV or AIFF file
/// that would pass 4 GiB (6.2 hours of 24-bit stereo at 48 kHz), which libsndfile cannot finish.
void checkContainerSize(const std::filesystem::path& target, SampleFormat format, double seconds,
                        double sampleRate) {
  std::string extension = target.extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension != ".wav" && extension != ".aiff" && extension != ".aif") return;
  const double bytesPerSample = format == SampleFormat::kPcm16   ? 2.0
                                : format == SampleFormat::kPcm24 ? 3.0
                                                                 : 4.0;
  const double bytes = seconds * sampleRate * 2.0 * bytesPerSample;
  if (bytes < 4294967295.0 - 65536.0) return;
  char text[160];
  std::snprintf(text, sizeof text, "%.1f GB of audio, more than the 4 GiB a %s file can hold",
                bytes / 1e9, extension == ".wav" ? "WAV" : "AIFF");
  throw InputError("cannot write '" + target.string() + "': " + text +
                   "; write .flac (or .ogg), stream it with -o - -t wav, or render shorter parts");
}

}  // namespace

int runRender(const RenderOptions& options) {
  catchInterrupts();
  return renderTake(options, nullptr);
}

int renderTake(const RenderOptions& options, RenderReport* report) {
  const SampleFormat format = parseSampleFormat(options.bits);
  const bool endless = options.lengthSeconds && std::isinf(*options.lengthSeconds);
  const std::optional<io::PipeType> pipeType = checkStreamOptions(options, endless);
  const RenderSource source = openSource(options);
  const std::string typeName = options.streamType.empty() ? "wav" : options.streamType;
  const std::filesystem::path target =
      pipeType                 ? std::filesystem::path("standard output." + typeName)
      : options.output.empty() ? std::filesystem::path(source.name + ".wav")
                               : std::filesystem::path(options.output);
  const double length = options.lengthSeconds.value_or(source.lengthSeconds);
  const double tail = endless ? 0.0 : options.tailSeconds.value_or(source.tailSeconds);
  // A MIDI file or an arc over the limit is refused even if --length would cut it short.
  const char* kind = source.midiFile ? "MIDI file" : source.arc ? "arc" : "preset";
  const double ownSeconds = source.midiFile || source.arc ? source.lengthSeconds : 0.0;
  checkRenderLength(
      {std::string(kind) + " '" + options.preset + "'", ownSeconds, endless ? 0.0 : length, tail},
      options.maxLengthSeconds);

  // Every output is checked before anything is rendered: none may be an input, another output,
  // a device, FIFO, socket or folder, and the side files need their extensions. A stream on
  // standard output has no name to put a label file beside.
  const bool writeLabels = source.arc && !options.noLabels && !pipeType;
  const std::filesystem::path labelsPath = besideTarget(target, ".labels.txt");
  std::vector<io::PlannedOutput> outputs;
  if (!pipeType) outputs.push_back({target, options.output.empty() ? "the output" : "-o", ""});
  if (writeLabels) outputs.push_back({labelsPath, "the label file", ""});
  if (!options.curvesPath.empty())
    outputs.push_back({options.curvesPath, "--export-curves", ".csv"});
  if (!options.plotPath.empty()) outputs.push_back({options.plotPath, "--plot", ".svg"});
  if (!options.midiExportPath.empty())
    outputs.push_back({options.midiExportPath, "--export-midi", ".mid"});
  io::checkOutputs(outputs, inputFiles(source, options));
  if (!pipeType) checkContainerSize(target, format, length + tail, options.sampleRate);
  std::optional<Timeline> timeline;
  std::vector<CueMarker> markers;
  std::vector<arc::PlayedScene> scenes;  // as laid out, or as the cues play them
  if (source.arc) {
    timeline.emplace(*source.arc, options.sampleRate);
    scenes = source.cues.empty() ? arc::scriptedScenes(*timeline) : source.played;
    for (const arc::PlayedScene& scene : scenes)
      if (static_cast<double>(scene.startFrame) < (length + tail) * options.sampleRate)
        markers.push_back({scene.startFrame, source.arc->scenes[scene.scene].name});
  }
  // Open the output first: a bad path fails before minutes of rendering, not after.
  Destination destination;
  if (pipeType) {
    std::optional<std::uint64_t> frames;
    if (!endless) frames = framesForSeconds(length + tail, options.sampleRate);
    destination.openPipe(*pipeType, options, format, frames, markers);
    // libsndfile writes these itself, retrying a write that Ctrl-C interrupts.
    if (*pipeType == io::PipeType::kFlac || *pipeType == io::PipeType::kOgg)
      releaseStandardOutputOnStop();
  } else {
    destination.openFile(target, options, format);
    destination.setCueMarkers(markers);
  }
  for (const std::string& extra : {options.curvesPath, options.plotPath, options.midiExportPath}) {
    if (extra.empty()) continue;
    const std::filesystem::path folder = std::filesystem::absolute(extra).parent_path();
    if (!std::filesystem::is_directory(folder))
      throw InputError("cannot write '" + extra + "': the folder '" + folder.string() +
                       "' does not exist; create it or choose another path");
  }

  std::optional<StemFiles> stems;
  if (!options.stemsPath.empty()) {
    if (endless) throw InputError("--stems needs a render with an end; give --length in seconds");
    StemFormat stemFormat;
    stemFormat.extension =
        pipeType ? (typeName == "raw" ? ".wav" : "." + typeName) : target.extension().string();
    stemFormat.sampleRate = options.sampleRate;
    stemFormat.format = format;
    stemFormat.seed = options.seed;
    stemFormat.frames = framesForSeconds(length + tail, options.sampleRate);
    stemFormat.markers = markers;
    stemFormat.spool = options.targetLufs.has_value();
    for (const io::PlannedOutput& output : outputs) stemFormat.otherOutputs.push_back(output.path);
    stems.emplace(options.stemsPath, std::move(stemFormat));
  }
  StemFiles* const stemFiles = stems ? &*stems : nullptr;

  // The audio on its way out: the plot's loudness track and the file (or stream).
  std::optional<arc::ShortTermLoudnessTrack> plotTrack;
  if (!options.plotPath.empty()) plotTrack.emplace(2, options.sampleRate);
  std::uint64_t framesOut = 0;
  auto deliver = [&](const float* audio, std::size_t frames) {
    if (plotTrack) plotTrack->add(audio, frames);
    destination.write(audio, frames);
    framesOut += frames;
  };
  const bool show = !options.quiet;
  const double seconds = endless ? HUGE_VAL : length + tail;
  PatchRender render;
  LoudnessStats loudness;
  float stemGain = 1.0f;
  if (options.targetLufs) {
    // Pass 1 renders into a float file beside the target (renders are deterministic, but the
    // gain search reads the audio up to a dozen times, and re-rendering would cost that many
    // renders); the plan is found over it, and the last pass writes.
    io::FloatSpool spool(pipeType ? std::filesystem::temp_directory_path() / "reverie.f32" : target,
                         2);
    render = renderSource(
        source, options, seconds, {show, "pass 1/2, rendering"},
        [&](const float* audio, std::size_t frames) { spool.append(audio, frames); }, stemFiles);
    ProgressBar levelling("pass 2/2, levelling", show);
    const io::LevelPlan plan =
        io::planLevel(spool, 2, options.sampleRate, *options.targetLufs, options.truePeakDbtp,
                      [&](int pass, double fraction) {
                        levelling.update(fraction, "reading " + std::to_string(pass));
                      });
    io::applyLevel(spool, plan, 2, options.sampleRate, [&](const float* audio, std::size_t frames) {
      if (interrupted()) throw RuntimeFailure("interrupted: nothing was written");
      deliver(audio, frames);
      levelling.update(static_cast<double>(framesOut) / static_cast<double>(spool.frames()),
                       "writing");
    });
    levelling.finish();
    loudness = plan.result.result;
    // The stems take the mix's levelling gain; its limiter, like the master's, they do not.
    stemGain = plan.untouched ? 1.0f : static_cast<float>(std::pow(10.0, plan.gainDb / 20.0));
    for (float trim : plan.trims) stemGain *= trim;
  } else {
    // An endless stream is not measured: libebur128 keeps every 100 ms block for the gating.
    std::optional<io::LoudnessMeter> meter;
    if (!endless)
      meter.emplace(2, options.sampleRate, io::LoudnessMeter::TruePeak::kLimiterDetector);
    try {
      render = renderSource(
          source, options, seconds, {show, "rendering"},
          [&](const float* audio, std::size_t frames) {
            if (meter) meter->add(audio, frames);
            deliver(audio, frames);
          },
          stemFiles);
    } catch (const RuntimeFailure&) {
      if (!pipeType || !interrupted()) throw;
      // A stream is ended by a signal as a matter of course: what went out stays, properly ended
      // where its reader still reads (one that stopped reading is not waited for).
      try {
        destination.commit();
      } catch (const RuntimeFailure&) {
      }
      std::fprintf(stderr, "reverie: stopped after streaming %.1f s to standard output\n",
                   static_cast<double>(framesOut) / options.sampleRate);
      return interruptExitCode();
    }
    if (meter) loudness = meter->stats();
  }
  if (interrupted()) throw RuntimeFailure("interrupted: nothing was written");
  destination.commit();
  std::vector<std::string> extras;
  if (stems) {
    stems->commit(stemGain);
    extras.push_back(stems->summary());
    const float stemPeak = stems->peak() * stemGain;
    if (stemPeak > 1.0f)
      std::fprintf(stderr,
                   "reverie: the stems peak at %+.1f dBFS: they are the mix before the master "
                   "limiter, which kept the mix under its ceiling%s\n",
                   20.0 * std::log10(stemPeak),
                   format == SampleFormat::kFloat32
                       ? ""
                       : "; in integer samples they clip there (-b 32f keeps every sample)");
  }
  const double renderedSeconds = static_cast<double>(framesOut) / options.sampleRate;
  if (source.arc) {
    // The sound file is safe on disk; the files that describe it follow, each written whole.
    if (writeLabels) {
      arc::writeAudacityLabels(labelsPath, *source.arc, scenes, options.sampleRate);
      extras.push_back("scene labels " + labelsPath.string());
    }
    if (!options.curvesPath.empty()) {
      arc::writeCurvesCsv(options.curvesPath, *source.arc, *timeline, renderedSeconds);
      extras.push_back("curves " + options.curvesPath);
    }
    if (plotTrack) {
      arc::writeArcPlot(options.plotPath, *source.arc, *timeline, renderedSeconds,
                        plotTrack->points());
      extras.push_back("plot " + options.plotPath);
    }
    if (!options.midiExportPath.empty())
      extras.push_back(arc::exportPerformanceMidi(
          options.midiExportPath, *source.arc,
          {options.sampleRate, kRenderBlockFrames, options.seed}, framesOut, source.cues));
  }

  if (report != nullptr)
    *report = {target, length + tail, render.realtimeFactor, loudness.integratedLufs,
               loudness.truePeakDbtp};
  if (!options.quiet) {
    const std::string where = pipeType ? "standard output" : target.string();
    std::fprintf(stderr,
                 "reverie: rendered '%s' to %s (%s, %.0f Hz, stereo, seed %llu)\n"
                 "  length %.2f s | %.1fx realtime on %d thread%s | peak %.1f dBFS | true peak "
                 "%.1f dBTP | %.1f LUFS integrated\n",
                 source.name.c_str(), where.c_str(), describe(target, format).c_str(),
                 options.sampleRate, static_cast<unsigned long long>(options.seed), length + tail,
                 render.realtimeFactor, render.threads, render.threads == 1 ? "" : "s",
                 loudness.samplePeakDbfs, loudness.truePeakDbtp, loudness.integratedLufs);
    if (source.arc) {
      std::string line = "  scenes:";
      for (std::size_t i = 0; i < scenes.size(); ++i) {
        const double start = source.cues.empty()
                                 ? timeline->spans()[i].startSeconds
                                 : static_cast<double>(scenes[i].startFrame) / options.sampleRate;
        if (start < length + tail)
          line += (i == 0 ? " " : ", ") + source.arc->scenes[scenes[i].scene].name + " " +
                  clockTime(start);
      }
      std::fprintf(stderr, "%s\n", line.c_str());
      if (destination.carriesCueMarkers())
        std::fprintf(stderr, "  scene markers written as cue points\n");
    }
    for (const std::string& extra : extras) std::fprintf(stderr, "  wrote %s\n", extra.c_str());
  }
  if (interrupted()) {  // too late to stop: the files are whole, but the exit says what came
    std::fprintf(stderr, "reverie: interrupted after %s was written\n", target.string().c_str());
    return interruptExitCode();
  }
  return 0;
}

}  // namespace reverie::cli
