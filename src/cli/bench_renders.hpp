// `reverie bench`'s renders through `reverie render` itself, each a process of its own: long
// renders (peak memory, realtime factor with the writing) and batches of takes (throughput).
#pragma once

#include <algorithm>
#include <chrono>
#include <utility>

namespace reverie::cli {

/// Seconds on the steady clock since `start`.
inline double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The smallest of `rounds` results of each of two measurements (seconds, or a core's share),
/// taken in turn: another program's time on a shared machine only ever adds to a measurement,
/// so the smallest is the nearest to its own cost, and taking turns exposes both to the same
/// moments (one after the other, a busy minute falls on one side only).
template <class First, class Second>
std::pair<double, double> smallestInTurn(int rounds, First&& first, Second&& second) {
  std::pair<double, double> smallest{1e300, 1e300};
  for (int round = 0; round < rounds; ++round) {
    smallest.first = std::min(smallest.first, first());
    smallest.second = std::min(smallest.second, second());
  }
  return smallest;
}

/// The hardware threads the benches compare one thread against (1 to 64).
int benchCores();

/// 10 minutes, 1 hour, 1 hour levelled (and 8 hours with `eightHours`) of 'glass-harmonica'.
void benchLongRenders(bool eightHours);
/// Takes of 'the-performance' one at a time and a core's worth at a time.
void benchBatch();
/// A 16-channel General MIDI file rendered on one thread and on every core.
void benchMidiFile();

}  // namespace reverie::cli
