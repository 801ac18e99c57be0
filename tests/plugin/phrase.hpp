// Test helper for the plugin hosts: the MIDI phrase they play, its messages on the frames
// `reverie render` places them on, and the render they must match after the plugin's latency.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "midi/smf_reader.hpp"

namespace reverie::test {

inline constexpr double kPluginRate = 48000.0;

/// A short phrase on two channels: notes of several lengths and velocities, overlapping on
/// different keys, a modulation-wheel move and bends, and a tempo change, so events fall
/// everywhere inside host blocks. Written to `folder`/phrase.mid; with `notesOnly` the same
/// notes at the same times without the controller and bend (VST3 carries only notes as events),
/// to `folder`/notes.mid.
std::filesystem::path writePhrase(const std::filesystem::path& folder, bool notesOnly = false);

/// A MIDI message at its absolute frame of the render.
struct FramedMidi {
  std::uint64_t frame = 0;
  std::uint8_t bytes[3] = {0, 0, 0};
};
/// The file's messages at the frames the render places them on (nearest frame at kPluginRate).
std::vector<FramedMidi> framedMessages(const midi::MidiFile& file);

struct Stereo {
  std::vector<float> left, right;
};

/// `reverie render PHRASE --preset PRESET -r 48000 -b 32f` (REQUIREs that it succeeds).
Stereo renderReference(const std::filesystem::path& phrase, const std::string& preset,
                       const std::filesystem::path& folder);

struct Comparison {
  std::uint64_t frames = 0, differing = 0, firstDifference = 0;
  float largestDifference = 0.0f, peak = 0.0f;
};
/// The plugin's output from `latency` on against the reference, sample for sample.
Comparison compareAfterLatency(const Stereo& plugin, int latency, const Stereo& reference);

}  // namespace reverie::test
