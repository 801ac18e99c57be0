// `reverie render`'s options and the run itself: source, streaming render, output.
#pragma once

#include <cstdint>
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

/// Renders as `options` say; returns the exit status. Throws InputError and RuntimeFailure.
int runRender(const RenderOptions& options);

}  // namespace reverie::cli
