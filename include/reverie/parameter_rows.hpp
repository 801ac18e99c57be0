// The parameter rows many node types share, written once: a node's table takes them from here,
// so `level` has one range and `tuning` one meaning wherever they appear.
#pragma once

#include <string_view>

#include "reverie/parameter.hpp"

namespace reverie::rows {

/// Every level in dB has this range: -96 dB is silence, +12 dB the most any node adds.
inline constexpr float kLevelMinimumDb = -96.0f;
inline constexpr float kLevelMaximumDb = 12.0f;

/// An output level in dB. `id` and `name` differ only where a node has several (a mixer's
/// channels) or a level of one part (a reverb's wet level).
constexpr ParameterDescriptor level(float defaultDb, float smoothingSeconds = 0.02f,
                                    std::string_view name = "Level",
                                    std::string_view id = "level") {
  return {id, name, "dB", kLevelMinimumDb, kLevelMaximumDb, defaultDb, smoothingSeconds};
}

/// The frequency of A4 that a node's equal temperament hangs from.
constexpr ParameterDescriptor tuning(std::string_view name = "Frequency of A4") {
  return {"tuning", name, "Hz", 400.0f, 480.0f, 440.0f};
}

/// How far a full pitch bend (MIDI RPN 0 sets it) moves the pitch, in semitones. A timpani's
/// pedal reaches an octave, hence the maximum.
constexpr ParameterDescriptor bendRange(float maximumSemitones = 24.0f,
                                        std::string_view name = "Pitch-bend range") {
  return {"bend_range", name, "semitones", 0.0f, maximumSemitones, 2.0f};
}

/// Dynamics (CC1 by default): how hard the section plays, 0..1; `name` says what it moves.
constexpr ParameterDescriptor dynamics(std::string_view name, float defaultValue = 0.7f,
                                       float smoothingSeconds = 0.02f) {
  return {"dynamics", name, "", 0.0f, 1.0f, defaultValue, smoothingSeconds};
}

/// Expression (CC11 by default): loudness alone, 0..1.
constexpr ParameterDescriptor expression(
    std::string_view name = "Expression (CC11): gain = x^2 (40 log10 x dB)",
    float smoothingSeconds = 0.01f) {
  return {"expression", name, "", 0.0f, 1.0f, 1.0f, smoothingSeconds};
}

/// Brightness, 0 (dark) to 1; `name` says how the node makes it.
constexpr ParameterDescriptor brightness(std::string_view name, float smoothingSeconds = 0.0f) {
  return {"brightness", name, "", 0.0f, 1.0f, 0.5f, smoothingSeconds};
}

/// Polyphony: notes sounding at once, at most `maximum` (what the node's pool holds).
constexpr ParameterDescriptor voices(float maximum, float defaultValue,
                                     std::string_view name = "Polyphony") {
  return {"voices", name, "voices", 1.0f, maximum, defaultValue};
}

/// An effect's wet mix, 0 (dry only) to 1 (wet only).
constexpr ParameterDescriptor mix(float defaultValue,
                                  std::string_view name = "Wet mix (0 = dry only, 1 = wet only)") {
  return {"mix", name, "", 0.0f, 1.0f, defaultValue, 0.02f};
}

/// Vibrato onset: seconds after the note starts, before a 0.5 s fade-in.
constexpr ParameterDescriptor vibratoDelay(float defaultSeconds) {
  return {
      "vibrato_delay", "Vibrato onset after the note starts (then 0.5 s fade-in)", "s", 0.0f, 3.0f,
      defaultSeconds};
}

/// The shapes an oscillator draws, by index (dsp::Waveform in the same order).
inline constexpr std::string_view kWaveforms[] = {"sine", "saw", "square", "triangle"};
constexpr ParameterDescriptor waveform(float defaultIndex) {
  return {"waveform", "Waveform", "", 0.0f, 3.0f, defaultIndex, 0.0f, kWaveforms};
}

/// The four rows of an ADSR envelope (the envelope node's and the synth's).
namespace adsr {
constexpr ParameterDescriptor attack(float defaultSeconds) {
  return {"attack", "Attack", "s", 0.0f, 30.0f, defaultSeconds};
}
constexpr ParameterDescriptor decay(float defaultSeconds) {
  return {"decay", "Decay", "s", 0.001f, 30.0f, defaultSeconds};
}
constexpr ParameterDescriptor sustain(float defaultLevel) {
  return {"sustain", "Sustain level", "", 0.0f, 1.0f, defaultLevel};
}
constexpr ParameterDescriptor release(float defaultSeconds) {
  return {"release", "Release", "s", 0.001f, 30.0f, defaultSeconds};
}
}  // namespace adsr

}  // namespace reverie::rows
