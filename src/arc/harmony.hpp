// Harmony for the composer: chords chosen by tension, voiced for each section. Pure functions
// of their inputs and a seeded generator, so they run on the audio thread and test offline.
#pragma once

#include <array>
#include <cstdint>

#include "dsp/random.hpp"
#include "reverie/arc.hpp"

namespace reverie::arc {

/// A chord as pitch classes relative to the scene's tonic (0..11), the first being its bass.
struct Chord {
  std::array<std::uint8_t, 8> pitches{};
  int count = 0;
  int function = 0;  ///< which diatonic chord it is (index into the mode's table), -1 if none
  bool contains(int pitchClass) const noexcept;
  int bass() const noexcept { return count > 0 ? pitches[0] : 0; }
};

/// The scale of a mode as semitones above the tonic.
const std::array<int, 7>& scaleOf(Mode mode) noexcept;
/// Semitones above the tonic of scale degree `degree` (0 = tonic, 7 = octave, negative below).
int degreeSemitones(Mode mode, int degree) noexcept;

/// How the composer picks the next chord. At low tension it walks the mode's diatonic chords
/// by common functional moves (I-IV-V-vi...); as tension rises it mixes in sevenths and
/// suspensions, then diminished sevenths, augmented triads and tritones, and at the peak
/// semitone clusters and a triad a tritone away over the tonic's.
class ChordChooser {
 public:
  void reset(Mode mode) noexcept;
  /// The chord for the next harmonic step at `tension` (0..1). With a melody note
  /// (`melody`, semitones above the tonic, or -1), consonant choices harmonise it: a diatonic
  /// chord that holds the note is preferred, as a composer harmonising a tune would.
  Chord next(float tension, dsp::Random& random, int melody = -1) noexcept;
  /// The dominant seventh (V7), the tonic and the subdominant triads, for cadences.
  Chord dominant() const noexcept;
  Chord tonic() const noexcept;
  Chord subdominant() const noexcept;
  /// The diatonic triad on scale step `step` (0 = I ... 6 = vii); the walk goes on from it.
  Chord diatonic(int step) noexcept;

 private:
  Mode mode_ = Mode::kMajor;
  int function_ = 0;
};

/// Voices `chord` (pitch classes above `tonicKey`'s class) for a section: the bass at or above
/// `bassLow`, the other tones spread over [low, high] once each per octave. Returns the number
/// of keys written to `keys` (at most 16), sorted ascending.
int voiceChord(const Chord& chord, int tonicPitchClass, int bassLow, int low, int high,
               std::array<std::uint8_t, 16>& keys) noexcept;

/// Voices `chord` in open position: the bass, then each chord tone once, every voice at least
/// a fourth above the one below (root, fifth, third an octave up, then any others), as
/// orchestrators space calm chords; tones that do not fit under `high` are left out.
int voiceOpen(const Chord& chord, int tonicPitchClass, int bassLow, int low, int high,
              std::array<std::uint8_t, 16>& keys) noexcept;

/// The chord with its next tone in the bass (a triad's first inversion: the third below).
Chord firstInversion(const Chord& chord) noexcept;

/// A roughness-free check used by tests: how many semitone or tritone intervals the chord's
/// pitch classes contain.
int harshIntervals(const Chord& chord) noexcept;

}  // namespace reverie::arc
