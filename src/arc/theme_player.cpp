// The theme and its variations (theme_player.hpp).
#include "arc/theme_player.hpp"

#include <algorithm>
#include <cmath>

#include "arc/harmony.hpp"

namespace reverie::arc {

void ThemePlayer::reset() noexcept {
  active_ = false;
  dealt_ = kVariations;
}

int ThemePlayer::dealVariation(dsp::Random& random) noexcept {
  if (dealt_ >= kVariations) {
    for (int k = 0; k < kVariations; ++k)
      deck_[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(k + 1);
    for (int k = kVariations - 1; k > 0; --k)
      std::swap(deck_[static_cast<std::size_t>(k)],
                deck_[random.next() % static_cast<std::uint32_t>(k + 1)]);
    dealt_ = 0;
  }
  return deck_[static_cast<std::size_t>(dealt_++)];
}

void ThemePlayer::start(const Arc& arc, float tension, int phrase, int tick, int ticksPerBeat,
                        int leadBase, dsp::Random& random) noexcept {
  const Theme& theme = arc.theme;
  const double ticksPerBeatD = static_cast<double>(ticksPerBeat);
  count_ = 0;
  // The first phrase states the theme as written; later ones vary it, more freely as
  // tension rises, each take dealing the variations in an order of its own.
  const int variation = phrase > 0 ? dealVariation(random) : 0;
  const int shift = variation == 2 ? (random.uniform() < 0.5f ? 1 : -1) : 0;
  // An octave away (up, or down for a lead that already sings high): one of the variations,
  // and now and then the first statement, which keeps its written line.
  const bool away = variation == 7 || (variation == 0 && random.uniform() < 0.4f);
  const int octave = away ? (leadBase >= 72 ? -12 : 12) : 0;
  const int first = theme.degrees.empty() ? 0 : theme.degrees.front();
  const auto writtenTicks = [&](std::size_t i) {
    return std::max(1, static_cast<int>(std::lround(theme.beats[i] * ticksPerBeatD)));
  };
  int borrowed = 0;  // ticks the dotted note before took from this one
  for (std::size_t i = 0; i < theme.degrees.size() && count_ < kMaxNotes; ++i) {
    int degree = theme.degrees[i];
    if (variation == 3) degree = 2 * first - degree;  // inversion about the first note
    degree += shift;                                  // a sequence a step up or down
    int ticks = writtenTicks(i) - borrowed;
    int semitones = degreeSemitones(arc.mode, degree) + octave;
    if (variation == 4 && i + 1 == theme.degrees.size() / 2) ticks *= 2;  // a held middle
    // Dotted: of two equal notes, the first takes half the second's length.
    const bool dot = variation == 5 && borrowed == 0 && i + 1 < theme.degrees.size() &&
                     writtenTicks(i + 1) == ticks && ticks >= 2;
    borrowed = dot ? ticks / 2 : 0;
    ticks += borrowed;
    // Panic bends the line: at high tension some notes slip a semitone.
    if (tension > 0.7f && random.uniform() < (tension - 0.7f) * 1.2f)
      semitones += random.uniform() < 0.5f ? 1 : -1;
    if (variation == 6 && ticks >= 4 && count_ + 2 < kMaxNotes) {
      // A turn: the note, its upper neighbour for a 16th, the note again.
      const int upper = degreeSemitones(arc.mode, degree + 1) + octave;
      notes_[count_++] = {semitones, ticks - 2};
      notes_[count_++] = {upper, 1};
      notes_[count_++] = {semitones, 1};
      continue;
    }
    if (variation == 1 && ticks >= 4 && i + 1 < theme.degrees.size() && count_ + 1 < kMaxNotes) {
      // Ornament: the note's second half passes toward the next.
      const int nextDegree = theme.degrees[i + 1] + shift;
      const int passing = degreeSemitones(arc.mode, degree + (nextDegree > degree   ? 1
                                                              : nextDegree < degree ? -1
                                                                                    : 0)) +
                          octave;
      notes_[count_++] = {semitones, ticks / 2};
      notes_[count_++] = {passing, ticks - ticks / 2};
      continue;
    }
    notes_[count_++] = {semitones, ticks};
  }
  active_ = count_ > 0;
  next_ = 0;
  nextTick_ = tick;
}

const ThemeNote* ThemePlayer::noteStartingAt(int tick) noexcept {
  if (!active_ || tick != nextTick_) return nullptr;
  const ThemeNote* note = &notes_[static_cast<std::size_t>(next_)];
  nextTick_ = tick + note->ticks;
  if (++next_ >= count_) active_ = false;
  return note;
}

int ThemePlayer::melodyAt(int tick) const noexcept {
  if (!active_) return -1;
  int note = next_;
  // nextTick_ is where note next_ starts; the one sounding may be the one before.
  if (nextTick_ > tick && note > 0) {
    --note;
  } else if (nextTick_ > tick) {
    return -1;
  }
  return ((notes_[static_cast<std::size_t>(note)].semitones % 12) + 12) % 12;
}

}  // namespace reverie::arc
