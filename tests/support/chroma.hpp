// Pitch-class profile: how a sound's energy spreads over the twelve equal-tempered classes.
#pragma once

#include <array>
#include <cstddef>
#include <span>

namespace reverie::test {

/// Index of each pitch class in a chroma vector: pitch_class::kC = 0, ... kA = 9, kB = 11.
namespace pitch_class {
enum : std::size_t { kC, kCSharp, kD, kDSharp, kE, kF, kFSharp, kG, kGSharp, kA, kASharp, kB };
}  // namespace pitch_class

/// The energy (amplitude squared) of spectral peaks between 50 Hz and 5 kHz, summed per pitch
/// class (nearest 12-TET pitch, A4 = 440 Hz), normalised to sum to 1; all zeros for silence.
/// Peaks come from ~0.34 s Blackman-Harris frames at half-frame hops, the 40 strongest within
/// 60 dB of each frame's loudest, so a long piece is the sum of its frames and a loud frame
/// counts more than a quiet one. Harmonics count where they fall: a note's 3rd partial adds to
/// its fifth (Fujishima 1999 used the same peak-folding; key tests should compare profiles).
std::array<double, 12> chroma(std::span<const float> signal, double sampleRate);

}  // namespace reverie::test
