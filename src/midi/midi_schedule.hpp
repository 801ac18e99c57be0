// A Standard MIDI File as engine events for patches: channels to presets, and tracks to the
// patch nodes that bear their names (a file exported from an arc finds its sections again).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "midi/midi_translator.hpp"
#include "midi/smf_reader.hpp"
#include "reverie/engine.hpp"
#include "reverie/preset.hpp"
#include "reverie/score.hpp"

namespace reverie::midi {

struct MidiRenderSetup {
  const Patch* defaultPatch = nullptr;         ///< plays every channel not mapped below
  std::map<int, const Patch*> channelPatches;  ///< MIDI channel 1..16 -> its own patch
  /// General MIDI: a program change on a channel not mapped above picks the patch its program
  /// maps to (programPatches, by program 0..127), and drum channels stay silent. Off when one
  /// preset is forced on the whole file.
  bool generalMidi = false;
  std::map<int, const Patch*> programPatches;
  VelocityCurve velocityCurve;
  bool mpe = false;  ///< MPE lower zone, for nodes that can play it
};

struct MidiSchedule {
  std::vector<ScheduledEvent> events;
  /// Tracks that went to the default patch's node of their name, instead of their channel's.
  std::vector<std::string> routedTracks;
};

/// The file's channel messages as engine events for the patches built into `engine`.
/// A track named like a node of the default patch that plays notes goes to that node (on a
/// channel not mapped to a patch of its own); other events go by channel. Overlapping notes on
/// one key of one destination sound until the last of them ends.
MidiSchedule scheduleFile(const MidiFile& file, const MidiRenderSetup& setup, Engine& engine);

}  // namespace reverie::midi
