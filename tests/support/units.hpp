// Test helpers: seconds to frames, a stretch of a signal by time, and equal-tempered pitch, at
// the rate the tests render at unless told otherwise.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace reverie::test {

/// The sample rate the instrument and analysis tests render at.
inline constexpr double kTestRate = 48000.0;

/// The frame `seconds` into a signal at `rate`, truncated: seconds * rate a hair under a whole
/// number (0.45 * 48000 = 21599.999...) gives the frame before. Most instrument tests place
/// their events with it; nearestFrame rounds instead. The two are kept apart so that a test
/// keeps placing each event on the very frame it always did.
inline std::uint64_t at(double seconds, double rate = kTestRate) {
  return static_cast<std::uint64_t>(seconds * rate);
}
/// The frame nearest to `seconds` into a signal at `rate`.
inline std::uint64_t nearestFrame(double seconds, double rate = kTestRate) {
  return static_cast<std::uint64_t>(std::llround(seconds * rate));
}

/// The samples of `x` from `from` to `to` seconds (each frame index truncated), clipped to `x`.
inline std::span<const float> segment(const std::vector<float>& x, double from, double to,
                                      double rate = kTestRate) {
  const std::size_t a = std::min(x.size(), static_cast<std::size_t>(from * rate));
  const std::size_t b = std::min(x.size(), static_cast<std::size_t>(to * rate));
  return {x.data() + a, b - std::min(a, b)};
}

/// The equal-tempered frequency of MIDI key `key` (A4 = 69 = 440 Hz); fractional keys allowed.
inline double hzOfKey(double key) {
  return 440.0 * std::exp2((key - 69.0) / 12.0);
}

/// The MIDI key, fractional, of `hz` (A4 = 69 = 440 Hz).
inline double keyOfHz(double hz) {
  return 69.0 + 12.0 * std::log2(hz / 440.0);
}

}  // namespace reverie::test
