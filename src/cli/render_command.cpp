// `reverie render`: a preset to a sound file, faster than real time, never a half-written file.
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/patch_render.hpp"
#include "cli/progress_bar.hpp"
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
  std::optional<double> targetLufs;
  double truePeakDbtp = -1.0;
  bool quiet = false;
};

/// "WAV, 24-bit" and so on, for the summary.
std::string describe(const std::filesystem::path& target, SampleFormat format) {
  std::string container = target.extension().string().substr(target.extension().empty() ? 0 : 1);
  for (char& c : container) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (container == "OGG" || container == "OGA") return "Ogg Vorbis";
  switch (format) {
    case SampleFormat::kPcm16: return container + ", 16-bit with TPDF dither";
    case SampleFormat::kPcm24: return container + ", 24-bit";
    case SampleFormat::kFloat32: return container + ", 32-bit float";
  }
  return container;
}

void writeFile(SoundFileWriter& writer, const std::vector<float>& interleaved, const RenderOptions& options) {
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

int runRender(const RenderOptions& options) {
  catchInterrupts();
  const SampleFormat format = parseSampleFormat(options.bits);
  Patch patch = loadPatch(findPreset(options.preset));
  if (patch.score.empty()) patch.score = demoPhrase(patch);  // an instrument preset
  const std::filesystem::path target = options.output.empty() ? patch.name + ".wav" : options.output;
  const double length = options.lengthSeconds.value_or(patch.lengthSeconds);
  const double tail = options.tailSeconds.value_or(patch.tailSeconds);

  // Open the temporary file first: a bad path fails before minutes of rendering, not after.
  SoundFileWriter writer(target, options.sampleRate, 2, format, options.seed);
  PatchRender render = renderPatch(patch, options.sampleRate, options.seed, length + tail, !options.quiet);
  std::vector<float>& audio = render.interleaved;
  LoudnessStats loudness;
  if (options.targetLufs) {
    loudness = normalizeLoudness(audio, 2, options.sampleRate, *options.targetLufs, options.truePeakDbtp).result;
  } else {
    loudness = measureLoudness(audio.data(), audio.size() / 2, 2, options.sampleRate);
  }
  writeFile(writer, audio, options);

  if (!options.quiet) {
    std::fprintf(stderr,
                 "reverie: rendered '%s' to %s (%s, %.0f Hz, stereo, seed %llu)\n"
                 "  length %.2f s | %.1fx realtime | peak %.1f dBFS | true peak %.1f dBTP | %.1f LUFS integrated\n",
                 patch.name.c_str(), target.string().c_str(), describe(target, format).c_str(),
                 options.sampleRate, static_cast<unsigned long long>(options.seed), length + tail,
                 render.realtimeFactor, loudness.samplePeakDbfs, loudness.truePeakDbtp, loudness.integratedLufs);
  }
  return 0;
}

}  // namespace

void addRenderCommand(CLI::App& app, Action& action) {
  auto options = std::make_shared<RenderOptions>();
  CLI::App* render = app.add_subcommand(
      "render", "Render a preset to a sound file (WAV, FLAC, OGG or AIFF), faster than real time");
  render->footer(
      "The file is written beside the target under a temporary name and renamed at the end,\n"
      "so an error or Ctrl-C never leaves half a file and never harms an existing one.\n"
      "The same preset, seed, rate and build always give a bit-identical WAV, FLAC or AIFF\n"
      "(Ogg streams carry a random serial number, so only their audio repeats).");
  render->add_option("preset", options->preset,
                     "Preset name (see 'reverie presets') or path to a .toml file")
      ->default_str(kDefaultPreset);
  render->add_option("-o,--output", options->output,
                     "Output file; the format follows the extension (.wav .flac .ogg .aiff) "
                     "[default: PRESET.wav]");
  render->add_option("-r,--rate", options->sampleRate, "Sample rate in Hz")
      ->check(CLI::Range(22050.0, 192000.0))
      ->default_str("48000");
  render->add_option("-b,--bits", options->bits, "Sample format: 16 (TPDF-dithered), 24 or 32f")
      ->check(CLI::IsMember({"16", "24", "32f"}))
      ->default_str("24");
  render->add_option("--seed", options->seed, "Seed for every random choice")->default_str("1");
  render->add_option("--length", options->lengthSeconds,
                     "Seconds to render before the tail [default: the preset's]")
      ->check(CLI::Range(0.001, 36000.0));
  render->add_option("--tail", options->tailSeconds,
                     "Seconds to let the sound ring on after that [default: the preset's]")
      ->check(CLI::Range(0.0, 600.0));
  CLI::Option* target =
      render->add_option("--target-lufs", options->targetLufs,
                         "Normalise to this integrated loudness (EBU R128), e.g. -16")
          ->check(CLI::Range(-70.0, 0.0));
  render->add_option("--true-peak", options->truePeakDbtp,
                     "True-peak ceiling in dBTP used with --target-lufs")
      ->check(CLI::Range(-20.0, 0.0))
      ->needs(target)
      ->default_str("-1");
  render->add_flag("-q,--quiet", options->quiet, "No progress bar and no summary");
  render->callback([options, &action] { action = [options] { return runRender(*options); }; });
}

}  // namespace reverie::cli
