// Standard MIDI File reader: format 0 and 1, tempo map, running status, SMPTE, RMID.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "midi/midi_message.hpp"

namespace reverie::midi {

/// A channel message at its time in the file.
struct TimedMessage {
  double seconds = 0.0;
  std::uint64_t tick = 0;
  int track = 0;
  Message message;
};

struct MidiFile {
  int format = 0;  ///< 0 or 1
  int trackCount = 0;
  std::vector<std::string> trackNames;  ///< each track's name (its first FF 03 at tick 0), or ""
  std::string timing;                ///< "480 ticks per quarter note" or "SMPTE 25 fps x 40 ticks"
  std::vector<TimedMessage> events;  ///< channel messages, sorted by time (ties keep file order)
  int tempoChanges = 0;
  double lengthSeconds = 0.0;  ///< the last event or end of track
};

/// Parses a file held in memory; `name` is used in messages. Throws InputError naming the
/// problem, its place (track and byte offset) and what to do, for anything malformed.
MidiFile parseMidiFile(std::span<const std::uint8_t> bytes, const std::string& name);

/// Reads and parses a file (InputError if it cannot be read or is malformed).
MidiFile loadMidiFile(const std::filesystem::path& path);

/// True if the bytes start like a Standard MIDI File or an RMID wrapper.
bool looksLikeMidiFile(std::span<const std::uint8_t> bytes);

}  // namespace reverie::midi
