// Rendering a Standard MIDI File through presets: one for the whole file, others per channel,
// and tracks named after a node of the default preset on that node (midi/midi_schedule.hpp).
#pragma once

#include <map>
#include <string>

#include "cli/patch_render.hpp"
#include "midi/midi_schedule.hpp"

namespace reverie::cli {

using midi::MidiRenderSetup;

/// The file's events for the patches built into `engine` (midi::scheduleFile).
std::vector<ScheduledEvent> scheduleMidiFile(const midi::MidiFile& file,
                                             const MidiRenderSetup& setup, Engine& engine);

/// Parses "10=timpani" into channel 10 and preset "timpani". Throws InputError.
std::pair<int, std::string> parseChannelMapping(const std::string& text);

}  // namespace reverie::cli
