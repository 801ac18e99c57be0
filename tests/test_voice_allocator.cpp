// The shared voice allocator (dsp/voice_allocator.hpp): each stealing rule on a scripted
// sequence of notes, against a pool whose slots the test sets by hand.
#include <doctest/doctest.h>

#include <array>

#include "dsp/voice_allocator.hpp"

namespace reverie {
namespace {

struct Slot {
  int key = -1;
  unsigned long age = 0;
  bool playing = false, held = false, fading = false;
  double energy = 0.0;
};

/// A pool of eight slots played like an instrument: a note-on takes the chosen slot, a note-off
/// releases it, `stop` makes it fall silent. Fading slots (crystal) are busy but not playing.
struct ScriptedPool {
  std::array<Slot, 8> slots{};
  unsigned long clock = 0;
  int fadedOut = -1;

  int size() const noexcept { return static_cast<int>(slots.size()); }
  int key(int v) const noexcept { return at(v).key; }
  bool playing(int v) const noexcept { return at(v).playing; }
  bool free(int v) const noexcept { return !at(v).playing && !at(v).fading; }
  unsigned long age(int v) const noexcept { return at(v).age; }
  bool released(int v) const noexcept { return !at(v).held; }
  double energy(int v) const noexcept { return at(v).energy; }
  void fadeOut(int v) noexcept {
    fadedOut = v;
    slots[static_cast<std::size_t>(v)].playing = false;
    slots[static_cast<std::size_t>(v)].fading = true;
  }
  const Slot& at(int v) const noexcept { return slots[static_cast<std::size_t>(v)]; }

  template <dsp::StealRule kRule>
  dsp::VoiceChoice noteOn(int key, int limit, double energy = 1.0) {
    fadedOut = -1;
    const dsp::VoiceChoice choice = dsp::chooseVoice<kRule>(*this, key, limit);
    Slot& s = slots[static_cast<std::size_t>(choice.voice)];
    s = {key, ++clock, true, true, false, energy};
    return choice;
  }
  void noteOff(int key) {
    for (Slot& s : slots)
      if (s.key == key) s.held = false;
  }
  void stop(int v) { slots[static_cast<std::size_t>(v)].playing = false; }
};

}  // namespace

TEST_CASE("voice allocator: free slots in order, the same key struck again in its own slot") {
  ScriptedPool pool;
  using enum dsp::StealRule;
  for (int n = 0; n < 4; ++n) {
    const dsp::VoiceChoice c = pool.noteOn<kOldest>(60 + n, 4);
    CHECK(c.voice == n);
    CHECK_FALSE(c.stolen);
  }
  // Key 62 again: its own slot, even at the limit, marked as still sounding.
  const dsp::VoiceChoice again = pool.noteOn<kOldest>(62, 4);
  CHECK(again.voice == 2);
  CHECK(again.stolen);
  // A slot that fell silent is free again before anything is stolen; the lowest one first.
  pool.stop(3);
  pool.stop(1);
  CHECK(pool.noteOn<kOldest>(70, 4).voice == 1);
  CHECK_FALSE(pool.noteOn<kReleasedThenOldest>(71, 4).stolen);
  CHECK(pool.at(3).key == 71);
  // A silent slot keeps its key but is not struck again: the note takes a free slot.
  pool.stop(0);
  CHECK(pool.noteOn<kOldest>(60, 4).voice == 0);
}

TEST_CASE("voice allocator: kOldest steals the note started longest ago within the limit") {
  ScriptedPool pool;
  using enum dsp::StealRule;
  for (int n = 0; n < 3; ++n) pool.noteOn<kOldest>(60 + n, 3);
  pool.noteOn<kOldest>(60, 3);  // slot 0 restarts: now the newest
  const dsp::VoiceChoice c = pool.noteOn<kOldest>(72, 3);
  CHECK(c.voice == 1);  // key 61, the oldest
  CHECK(c.stolen);
  CHECK(pool.noteOn<kOldest>(73, 3).voice == 2);
  CHECK(pool.noteOn<kOldest>(74, 3).voice == 0);
  // Released or held makes no difference to this rule, and slots past the limit stay unused.
  pool.noteOff(73);
  CHECK(pool.noteOn<kOldest>(75, 3).voice == 1);
  for (int v = 3; v < 8; ++v) CHECK(pool.at(v).key == -1);
}

TEST_CASE("voice allocator: kReleasedThenOldest steals a released note before a held one") {
  ScriptedPool pool;
  using enum dsp::StealRule;
  for (int n = 0; n < 4; ++n) pool.noteOn<kReleasedThenOldest>(60 + n, 4);
  pool.noteOff(63);  // the newest, released
  pool.noteOff(62);
  // Of the released notes (62, 63) the older; the held 60 and 61 are older still but kept.
  CHECK(pool.noteOn<kReleasedThenOldest>(70, 4).voice == 2);
  CHECK(pool.noteOn<kReleasedThenOldest>(71, 4).voice == 3);
  // Nothing released: the oldest held note.
  const dsp::VoiceChoice c = pool.noteOn<kReleasedThenOldest>(72, 4);
  CHECK(c.voice == 0);
  CHECK(c.stolen);
  // A lower limit confines both the free slots and the victims to the first slots.
  pool.stop(3);
  CHECK(pool.noteOn<kReleasedThenOldest>(73, 2).voice == 1);
}

TEST_CASE("voice allocator: kQuietestFadesOut fades the quietest and plays in a spare slot") {
  ScriptedPool pool;
  using enum dsp::StealRule;
  pool.noteOn<kQuietestFadesOut>(60, 3, 0.5);
  pool.noteOn<kQuietestFadesOut>(61, 3, 0.2);
  pool.noteOn<kQuietestFadesOut>(62, 3, 0.2);
  CHECK(pool.fadedOut == -1);
  // Three play: the quietest (61 and 62 tie; 61 is older) fades out where it is, and the new
  // note takes the first slot that neither plays nor fades.
  dsp::VoiceChoice c = pool.noteOn<kQuietestFadesOut>(63, 3, 0.9);
  CHECK(pool.fadedOut == 1);
  CHECK(c.voice == 3);
  CHECK_FALSE(c.stolen);
  CHECK(pool.at(1).fading);
  // The same key while it plays: struck again, nothing fades.
  c = pool.noteOn<kQuietestFadesOut>(60, 3, 0.1);
  CHECK(c.voice == 0);
  CHECK(pool.fadedOut == -1);
  // Key 61 is fading, not playing: a new slot, and the quietest player (60, now 0.1) fades.
  c = pool.noteOn<kQuietestFadesOut>(61, 3, 0.3);
  CHECK(pool.fadedOut == 0);
  CHECK(c.voice == 4);
  // Every slot busy, fades included: the quietest of the whole pool, fading or not.
  for (int v = 0; v < 8; ++v) {
    Slot& s = pool.slots[static_cast<std::size_t>(v)];
    if (s.key < 0) s = {90 + v, ++pool.clock, false, false, true, 0.05 * (v + 1)};
  }
  pool.slots[6].energy = 0.01;
  c = pool.noteOn<kQuietestFadesOut>(80, 8, 1.0);
  CHECK(c.voice == 6);
  CHECK(c.stolen);
}

}  // namespace reverie
