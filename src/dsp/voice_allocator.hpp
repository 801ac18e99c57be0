// The one voice allocator of the polyphonic instruments (crystal, orchestral sections, synth):
// which slot of a fixed pool a new note takes, with the stealing rule each instrument needs as
// a template parameter. It lives in dsp/ with the other audio-thread building blocks that both
// nodes/ and instruments/ use; it allocates nothing, locks nothing and keeps no state of its own.
#pragma once

#include <concepts>

namespace reverie::dsp {

/// What an instrument does when a note finds no free slot.
enum class StealRule {
  /// Take the slot that started longest ago (lowest index among equal ages). The synth.
  kOldest,
  /// Take a released slot (key up, pedal not holding it) before a held or sustained one, the
  /// oldest within each (lowest index among equals). The orchestral sections.
  kReleasedThenOldest,
  /// When `limit` slots already play, the quietest of them (the oldest among equal energies,
  /// then the lowest index) fades out where it is, and the note takes the first slot that is
  /// neither playing nor fading; if every slot is busy, fades included, the quietest slot of the
  /// whole pool. The crystal, whose pool keeps spare slots for the fades.
  kQuietestFadesOut,
};

/// The view of a pool the allocator reads. `playing(i)`: the slot sounds and may be struck again
/// or stolen; `free(i)`: a new note may take it as it is; `age(i)`: start order, larger is newer.
template <class Pool>
concept VoicePool = requires(Pool& pool, const Pool& view, int i) {
  { view.size() } -> std::convertible_to<int>;
  { view.key(i) } -> std::convertible_to<int>;
  { view.playing(i) } -> std::convertible_to<bool>;
  { view.free(i) } -> std::convertible_to<bool>;
  { view.age(i) } -> std::convertible_to<unsigned long>;
};

struct VoiceChoice {
  int voice = 0;        ///< the slot the note takes
  bool stolen = false;  ///< the slot was still playing (the same key again, or a steal)
};

/// Picks the slot for a note on `key`. First, a slot already playing that key is struck again
/// (the lowest such index: no doubled unisons). Otherwise, for kOldest and kReleasedThenOldest,
/// the first free slot among the first `limit`, else the rule's victim among them; for
/// kQuietestFadesOut see its description (the pool also needs `energy(i)` and `fadeOut(i)`).
/// kReleasedThenOldest needs `released(i)`.
template <StealRule kRule, VoicePool Pool>
VoiceChoice chooseVoice(Pool& pool, int key, int limit) noexcept {
  const int size = pool.size();
  for (int v = 0; v < size; ++v)
    if (pool.key(v) == key && pool.playing(v)) return {v, true};
  if constexpr (kRule == StealRule::kQuietestFadesOut) {
    int playing = 0;
    for (int v = 0; v < size; ++v) playing += pool.playing(v);
    if (playing >= limit) {
      int victim = -1;
      for (int v = 0; v < size; ++v) {
        if (!pool.playing(v)) continue;
        if (victim < 0 || pool.energy(v) < pool.energy(victim) ||
            (pool.energy(v) == pool.energy(victim) && pool.age(v) < pool.age(victim)))
          victim = v;
      }
      if (victim >= 0) pool.fadeOut(victim);
    }
    for (int v = 0; v < size; ++v)
      if (pool.free(v)) return {v, false};
    int quietest = 0;
    for (int v = 0; v < size; ++v)
      if (pool.energy(v) < pool.energy(quietest)) quietest = v;
    return {quietest, true};
  } else {
    for (int v = 0; v < limit; ++v)
      if (pool.free(v)) return {v, false};
    int chosen = 0;
    for (int v = 1; v < limit; ++v) {
      if constexpr (kRule == StealRule::kReleasedThenOldest) {
        const bool released = pool.released(v), chosenReleased = pool.released(chosen);
        if (released != chosenReleased) {
          if (released) chosen = v;
          continue;
        }
      }
      if (pool.age(v) < pool.age(chosen)) chosen = v;
    }
    return {chosen, true};
  }
}

}  // namespace reverie::dsp
