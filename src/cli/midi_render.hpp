// Rendering a Standard MIDI File through presets: one for the whole file, others per channel.
#pragma once

#include <map>
#include <string>

#include "cli/patch_render.hpp"
#include "midi/midi_translator.hpp"
#include "midi/smf_reader.hpp"

namespace reverie::cli {

struct MidiRenderSetup {
  const Patch* defaultPatch = nullptr;         ///< plays every channel not mapped below
  std::map<int, const Patch*> channelPatches;  ///< MIDI channel 1..16 -> its own patch
  /// General MIDI: a program change on a channel not mapped above picks the patch its program
  /// maps to (programPatches, by program 0..127), and drum channels stay silent. Off when one
  /// preset is forced on the whole file.
  bool generalMidi = false;
  std::map<int, const Patch*> programPatches;
  midi::VelocityCurve velocityCurve;
  bool mpe = false;  ///< MPE lower zone, for nodes that can play it
};

/// The file's channel messages as engine events for the patches built into `engine`.
/// Overlapping notes on one key sound until the last of them ends.
std::vector<ScheduledEvent> scheduleMidiFile(const midi::MidiFile& file,
                                             const MidiRenderSetup& setup, Engine& engine);

/// Parses "10=timpani" into channel 10 and preset "timpani". Throws InputError.
std::pair<int, std::string> parseChannelMapping(const std::string& text);

}  // namespace reverie::cli
