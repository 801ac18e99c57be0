// General MIDI programs as reverie presets: which preset plays a GM program, by its family
// (strings 40-51 -> strings, brass 56-63 -> brass, ...) or by the program itself, and which
// channels are drums (channel 10, or GM2's rhythm bank).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "midi/smf_reader.hpp"

namespace reverie::midi {

struct GmPreset {
  std::string_view preset;  ///< the reverie preset that plays the program
  std::string_view family;  ///< the program's GM family, e.g. "brass"
  bool exact = true;        ///< false: no preset is close, the closest family's plays it
};

/// The preset for GM program `program` (0..127; others are clamped).
GmPreset gmPreset(int program);

/// GM2 banks (CC0, the bank's MSB): 120 is the rhythm bank, 121 the melodic one.
inline constexpr int kRhythmBank = 120;
inline constexpr int kMelodicBank = 121;
/// Whether a channel (1..16) with bank MSB `bankMsb` plays drums: channel 10 unless the melodic
/// bank is chosen, any channel on the rhythm bank.
inline bool isDrumChannel(int channel, int bankMsb) {
  return bankMsb == kRhythmBank || (channel == 10 && bankMsb != kMelodicBank);
}

/// What a file asks of General MIDI: each channel's programs, in order, and its drum channels.
struct GmUse {
  std::vector<int> programs;      ///< every distinct program changed to on a melodic channel
  std::vector<int> drumChannels;  ///< channels (1..16) that play notes as drums at some point
};
GmUse gmUse(const MidiFile& file);

/// The file's program changes as one line each for the user: "program 122 (sound effects) has
/// no close preset: mirror-shards plays it (closest family: synth effects)". Empty when all
/// map exactly.
std::vector<std::string> gmApproximations(const GmUse& use);

}  // namespace reverie::midi
