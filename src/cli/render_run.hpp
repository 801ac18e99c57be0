// `reverie render`'s options and the run itself: source, streaming render, output.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/patch_render.hpp"

namespace reverie::cli {

struct RenderOptions {
  std::string preset = kDefaultPreset;
  std::string output;
  std::string streamType;  ///< -t, for -o - (wav, flac, ogg, raw)
  double sampleRate = 48000.0;
  std::string bits = "24";
  bool bitsGiven = false;
  std::uint64_t seed = 1;
  int threads = 0;    ///< --threads: 0 is one per core
  std::string seeds;  ///< --seeds: a batch, one take per seed ("1-64", "1,5,9-12")
  std::optional<double> lengthSeconds;  ///< infinity: an endless stream
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
  bool midiPresetGiven = false;  // --preset forces one preset on every channel: no GM programs
  bool midiOptionsGiven = false;
  std::string stemsPath;  ///< --stems: a folder
  // For an arc:
  std::string curvesPath;
  std::string plotPath;
  std::string midiExportPath;
  std::string cuesPath;  ///< --cues: a cue file the composer plays
  bool noLabels = false;
  bool arcOptionsGiven = false;
};

/// What a finished render measured, for a batch's table.
struct RenderReport {
  std::filesystem::path target;
  double seconds = 0.0;
  double realtimeFactor = 0.0;
  double integratedLufs = 0.0;
  double truePeakDbtp = 0.0;
};

/// Renders as `options` say; returns the exit status. Throws InputError and RuntimeFailure.
int runRender(const RenderOptions& options);

/// One render, as runRender does it but without taking the signals (the caller has) and,
/// when `report` is given, filling it in. Safe to run on several threads at once.
int renderTake(const RenderOptions& options, RenderReport* report);

}  // namespace reverie::cli
