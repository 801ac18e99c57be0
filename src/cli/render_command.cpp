// `reverie render`: a preset to a sound file, faster than real time, never a half-written file.
#include <memory>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "cli/render_batch.hpp"
#include "cli/render_run.hpp"

namespace reverie::cli {

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
      "Its length is the file's, plus the presets' tail. Without --preset, the file is played\n"
      "as General MIDI: a program change picks a preset by its family (strings, brass, reeds,\n"
      "chromatic percussion... see README.md), channel 10 (drums) is silent unless --channel\n"
      "maps it, and channels that never change program play glass-harmonica. --preset P plays\n"
      "every channel with P.\n\n"
      "An arc (presets/arcs/) is performed by the composer, new from every seed:\n"
      "  reverie render                       renders the default arc, the-performance\n"
      "  reverie render the-performance --seed 7 -o take7.wav --export-curves curves.csv --plot "
      "arc.svg\n"
      "Scene names go into the WAV as cue points and beside it as an Audacity label file\n"
      "(take7.labels.txt: File > Import > Labels).\n\n"
      "Renders stream to their file block by block, in the same memory for a minute or a day.\n"
      "-o - writes to standard output instead, typed with -t as sox spells it (wav, flac, ogg,\n"
      "or raw: interleaved 32-bit float little-endian), and --length inf streams until stopped:\n"
      "  reverie render glass-harmonica --length inf -o - -t flac | ffmpeg -i - ...");
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
                   "Output file; the format follows the extension (.wav .flac .ogg .aiff), "
                   "or - for standard output (see -t) [default: PRESET.wav]")
      ->check(nonEmptyPath());
  render
      ->add_option("-t,--type", options->streamType,
                   "With -o -: the stream's type, wav, flac, ogg or raw (32-bit float) "
                   "[default: wav]")
      ->check(CLI::IsMember({"wav", "flac", "ogg", "raw"}));
  render->add_option("-r,--rate", options->sampleRate, "Sample rate in Hz, or kHz as 44.1k")
      ->transform(kiloHertz())
      ->check(finiteIn(22050.0, 192000.0, "Hz"))
      ->default_str("48000");
  CLI::Option* bits =
      render
          ->add_option("-b,--bits", options->bits,
                       "Sample format: 16 (TPDF-dithered), 24, or 32f (also 32) for float")
          ->check(CLI::IsMember({"16", "24", "32f", "32"}));
  bits->default_str("24");
  CLI::Option* seed = render->add_option("--seed", options->seed, "Seed for every random choice")
                          ->check(seedValue())
                          ->default_str("1");
  render
      ->add_option("--seeds", options->seeds,
                   "Render a batch, one take per seed (1-64, or 1,5,9-12), several at a time "
                   "(--threads of them, one thread each): -o names each take with {seed}, e.g. "
                   "-o 'take-{seed}.flac'; a table of the takes closes it")
      ->excludes(seed);
  render
      ->add_option("--length", options->lengthSeconds,
                   "Seconds to render before the tail, or inf to stream until stopped (-o - only) "
                   "[default: the preset's]")
      ->check(endlessOr(finiteIn(0.001, kHighestMaxRenderSeconds, "seconds")));
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
  render->add_option(
      "--stems", options->stemsPath,
      "Also write one file per part of the mix into this folder (made if missing): each node "
      "that feeds the hall, named by node, and each shared effect's return (hall-return, ...). "
      "They sum to the mix before the master limiter; same format, length and cue points");
  render->add_option(
      "--cues", options->cuesPath,
      "Arc only: play this cue file on exact frames: lines of BAR:BEAT or SECONDSs and an "
      "action (next, goto SCENE, hold on|off, stinger NAME, tension VALUE); see README.md");
  CLI::Option* labels = render->add_flag("--no-labels", options->noLabels,
                                         "Arc only: no Audacity label file beside the output");
  render
      ->add_option("--threads", options->threads,
                   "Threads rendering each block (with --seeds: takes at once), 1 to 64 [default: "
                   "the cores this process may use, less those other programs keep busy at "
                   "normal priority]. The audio is the same, bit for bit, whatever the count")
      ->check(wholeIn(1, 64, ""));
  render->add_flag("-q,--quiet", options->quiet, "No progress bar and no summary");
  render->callback([options, &action, midiPreset, channels, curve, mpe, curves, plot, labels,
                    bits] {
    options->bitsGiven = bits->count() > 0;
    options->midiPresetGiven = midiPreset->count() > 0;
    options->midiOptionsGiven =
        midiPreset->count() + channels->count() + curve->count() + mpe->count() > 0;
    options->arcOptionsGiven = curves->count() + plot->count() + labels->count() > 0;
    action = [options] {
      return preparingInput(
          options->preset, "render",
          "render part of it with --length, or split it into shorter files",
          [&] { return options->seeds.empty() ? runRender(*options) : runRenderBatch(*options); });
    };
  });
}

}  // namespace reverie::cli
