// Chord choice by tension and simple voicing.
#include "arc/harmony.hpp"

#include <algorithm>
#include <cmath>

namespace reverie::arc {
namespace {

constexpr std::array<int, 7> kMajorScale = {0, 2, 4, 5, 7, 9, 11};
constexpr std::array<int, 7> kMinorScale = {0, 2, 3, 5,
                                            7, 8, 10};  // natural minor; V is raised below

Chord make(std::initializer_list<int> pitches, int function = -1) noexcept {
  Chord chord;
  for (int p : pitches)
    chord.pitches[static_cast<std::size_t>(chord.count++)] =
        static_cast<std::uint8_t>(((p % 12) + 12) % 12);
  chord.function = function;
  return chord;
}

/// The diatonic triad on scale step `step` (the dominant major in minor, as common practice has
/// it).
Chord triad(Mode mode, int step) noexcept {
  const auto& scale = scaleOf(mode);
  const int root = scale[static_cast<std::size_t>(step % 7)];
  int third = scale[static_cast<std::size_t>((step + 2) % 7)];
  const int fifth = scale[static_cast<std::size_t>((step + 4) % 7)];
  if (mode == Mode::kMinor && step == 4) third = 11;  // the leading tone
  return make({root, third, fifth}, step);
}

// Functional moves between diatonic steps (0 = I ... 6 = vii): where each tends to go, as
// weights. I goes anywhere; IV to V or I; V home or to vi; vi to IV or ii; ii to V.
constexpr float kMoves[7][7] = {
    {0.1f, 0.4f, 0.1f, 1.0f, 0.9f, 0.8f, 0.0f},  // I
    {0.2f, 0.0f, 0.0f, 0.3f, 1.0f, 0.1f, 0.2f},  // ii
    {0.2f, 0.2f, 0.0f, 0.4f, 0.2f, 0.8f, 0.0f},  // iii
    {0.8f, 0.4f, 0.0f, 0.0f, 1.0f, 0.1f, 0.1f},  // IV
    {1.0f, 0.0f, 0.1f, 0.2f, 0.0f, 0.6f, 0.0f},  // V
    {0.2f, 0.7f, 0.1f, 0.9f, 0.4f, 0.0f, 0.0f},  // vi
    {1.0f, 0.0f, 0.1f, 0.0f, 0.2f, 0.1f, 0.0f},  // vii
};

int pickWeighted(const float* weights, int count, dsp::Random& random) noexcept {
  float total = 0.0f;
  for (int i = 0; i < count; ++i) total += weights[i];
  float x = random.uniform() * total;
  for (int i = 0; i < count; ++i) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  return count - 1;
}

}  // namespace

bool Chord::contains(int pitchClass) const noexcept {
  const int pc = ((pitchClass % 12) + 12) % 12;
  for (int i = 0; i < count; ++i)
    if (pitches[static_cast<std::size_t>(i)] == pc) return true;
  return false;
}

const std::array<int, 7>& scaleOf(Mode mode) noexcept {
  return mode == Mode::kMinor ? kMinorScale : kMajorScale;
}

int degreeSemitones(Mode mode, int degree) noexcept {
  const int octave = degree >= 0 ? degree / 7 : -((-degree + 6) / 7);
  const int step = degree - octave * 7;
  return octave * 12 + scaleOf(mode)[static_cast<std::size_t>(step)];
}

void ChordChooser::reset(Mode mode) noexcept {
  mode_ = mode;
  function_ = 0;
}

Chord ChordChooser::dominant() const noexcept {
  Chord chord = triad(mode_, 4);
  chord.pitches[static_cast<std::size_t>(chord.count++)] = 5;  // the seventh
  return chord;
}

Chord ChordChooser::tonic() const noexcept {
  return triad(mode_, 0);
}

Chord ChordChooser::subdominant() const noexcept {
  return triad(mode_, 3);
}

Chord ChordChooser::diatonic(int step) noexcept {
  function_ = ((step % 7) + 7) % 7;
  return triad(mode_, function_);
}

Chord ChordChooser::next(float tension, dsp::Random& random, int melody) noexcept {
  const float t = std::clamp(tension, 0.0f, 1.0f);
  // How much of each family: consonant diatonic, sevenths and suspensions, diminished and
  // augmented colours, clusters and tritones. They overlap so the colour changes gradually.
  const float families[4] = {
      std::max(0.0f, 1.0f - t / 0.7f),
      std::max(0.0f, 1.0f - std::abs(t - 0.6f) / 0.2f),
      std::max(0.0f, 1.0f - std::abs(t - 0.75f) / 0.15f),
      std::max(0.0f, (t - 0.7f) / 0.3f) * 2.5f,
  };
  const int family = pickWeighted(families, 4, random);
  int step = pickWeighted(kMoves[function_], 7, random);
  // Harmonise the tune: a few more draws for a chord that holds the melody note.
  for (int tries = 0;
       melody >= 0 && family <= 1 && tries < 6 && !triad(mode_, step).contains(melody); ++tries)
    step = pickWeighted(kMoves[function_], 7, random);
  switch (family) {
    case 0: {
      function_ = step;
      return triad(mode_, step);
    }
    case 1: {
      function_ = step;
      Chord chord = triad(mode_, step);
      const auto& scale = scaleOf(mode_);
      const int root = scale[static_cast<std::size_t>(step)];
      if (random.uniform() < 0.5f) {
        // A seventh on the chord (the dominant gets the minor seventh).
        const int seventh = step == 4 ? root + 10 : scale[static_cast<std::size_t>((step + 6) % 7)];
        chord.pitches[static_cast<std::size_t>(chord.count++)] =
            static_cast<std::uint8_t>(seventh % 12);
      } else {
        // A suspension: the fourth above the root replaces the third.
        chord.pitches[1] = static_cast<std::uint8_t>((root + 5) % 12);
      }
      return chord;
    }
    case 2: {
      function_ = 4;  // these lean toward the dominant's resolution
      const int kind = static_cast<int>(random.next() % 4);
      const int lift = static_cast<int>(random.next() % 3) * 3;
      // Each colour carries a semitone rub as well as its tritone.
      if (kind == 0)
        return make(
            {11 + lift, 2 + lift, 5 + lift, 8 + lift, 0 + lift});  // diminished seventh, flat nine
      if (kind == 1) return make({0, 4, 8, 11});                   // augmented, major seventh
      if (kind == 2) return make({7, 11, 2, 5, 8});                // V7 flat nine
      return make({0, 6, 1, 7});  // two tritones a semitone apart // tritones stacked
    }
    default: {
      function_ = 0;
      const int root = static_cast<int>(random.next() % 12);
      if (random.uniform() < 0.55f) {
        // A cluster of three to five adjacent semitones.
        const int size = 3 + static_cast<int>(random.next() % 3);
        Chord chord;
        for (int i = 0; i < size; ++i)
          chord.pitches[static_cast<std::size_t>(chord.count++)] =
              static_cast<std::uint8_t>((root + i) % 12);
        return chord;
      }
      // The tonic triad against the triad a tritone away, over a tritone bass.
      return make({0, 6, 4, 7, 10, 1});
    }
  }
}

int voiceChord(const Chord& chord, int tonicPitchClass, int bassLow, int low, int high,
               std::array<std::uint8_t, 16>& keys) noexcept {
  int count = 0;
  if (chord.count == 0) return 0;
  const int bassClass = (tonicPitchClass + chord.bass()) % 12;
  int bass = bassLow + ((bassClass - bassLow) % 12 + 12) % 12;
  keys[static_cast<std::size_t>(count++)] = static_cast<std::uint8_t>(std::clamp(bass, 0, 127));
  for (int key = std::max(low, bass + 1); key <= high && count < 16; ++key) {
    if (chord.contains(key - tonicPitchClass))
      keys[static_cast<std::size_t>(count++)] = static_cast<std::uint8_t>(key);
  }
  return count;
}

int voiceOpen(const Chord& chord, int tonicPitchClass, int bassLow, int low, int high,
              std::array<std::uint8_t, 16>& keys) noexcept {
  if (chord.count == 0) return 0;
  int count = 0;
  const int bassClass = (tonicPitchClass + chord.bass()) % 12;
  int previous = bassLow + ((bassClass - bassLow) % 12 + 12) % 12;
  keys[static_cast<std::size_t>(count++)] = static_cast<std::uint8_t>(std::clamp(previous, 0, 127));
  // Root, fifth (the third entry of a stacked triad), third, then the rest.
  const int order[8] = {0, 2, 1, 3, 4, 5, 6, 7};
  for (int i = 0; i < chord.count && i < 8 && count < 16; ++i) {
    const int index = order[i];
    if (index >= chord.count) continue;
    const int pc = (tonicPitchClass + chord.pitches[static_cast<std::size_t>(index)]) % 12;
    int key = std::max(low, previous + 5);
    key += ((pc - key) % 12 + 12) % 12;
    if (key > high) break;
    keys[static_cast<std::size_t>(count++)] = static_cast<std::uint8_t>(key);
    previous = key;
  }
  return count;
}

Chord firstInversion(const Chord& chord) noexcept {
  Chord inverted = chord;
  if (chord.count < 2) return inverted;
  for (int i = 0; i < chord.count; ++i)
    inverted.pitches[static_cast<std::size_t>(i)] =
        chord.pitches[static_cast<std::size_t>((i + 1) % chord.count)];
  return inverted;
}

int harshIntervals(const Chord& chord) noexcept {
  int harsh = 0;
  for (int i = 0; i < chord.count; ++i)
    for (int j = i + 1; j < chord.count; ++j) {
      const int d = std::abs(chord.pitches[static_cast<std::size_t>(i)] -
                             chord.pitches[static_cast<std::size_t>(j)]) %
                    12;
      if (d == 1 || d == 11 || d == 6) ++harsh;
    }
  return harsh;
}

}  // namespace reverie::arc
