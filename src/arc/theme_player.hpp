// The theme as the composer plays it: each phrase states it or a variation of it (passing
// notes, a sequence, the inversion, a held middle, dotted rhythm, turns, another octave),
// dealt from a shuffled deck so a take never repeats one before it has played them all.
#pragma once

#include <array>
#include <cstdint>

#include "dsp/random.hpp"
#include "reverie/arc.hpp"

namespace reverie::arc {

/// A note of the theme as played: semitones above the scene's tonic, ticks long.
struct ThemeNote {
  int semitones = 0;
  int ticks = 4;
};

class ThemePlayer {
 public:
  void reset() noexcept;
  void stop() noexcept { active_ = false; }

  /// Builds phrase `phrase`'s statement of `arc`'s theme, to start at tick `tick`. A lead whose
  /// register starts at `leadBase` or higher goes an octave down rather than up.
  void start(const Arc& arc, float tension, int phrase, int tick, int ticksPerBeat, int leadBase,
             dsp::Random& random) noexcept;
  /// The note that starts at tick `tick`, if one does (the next call looks for the one after).
  const ThemeNote* noteStartingAt(int tick) noexcept;
  /// The theme's note sounding at tick `tick` (semitones above the tonic, 0..11), or -1.
  int melodyAt(int tick) const noexcept;

 private:
  static constexpr int kMaxNotes = 128;
  static constexpr int kVariations = 7;

  int dealVariation(dsp::Random& random) noexcept;

  std::array<ThemeNote, kMaxNotes> notes_{};
  int count_ = 0, next_ = 0, nextTick_ = 0;
  bool active_ = false;
  std::array<std::uint8_t, kVariations> deck_{};
  int dealt_ = kVariations;
};

}  // namespace reverie::arc
