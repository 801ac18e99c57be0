// TPDF dither for reducing float audio to integer samples, from a seeded generator.
#pragma once

#include <cstdint>

#include "dsp/random.hpp"

namespace reverie::io {

/// Triangular-PDF dither spanning ±1 LSB: the difference of two independent uniform values.
/// It makes the mean and the power of the total error independent of the signal (Wannamaker,
/// Lipshitz & Vanderkooy, "A Theory of Nonsubtractive Dither", IEEE Trans. SP 48(2), 2000).
/// Seeded, so the same render gives the same file.
class TpdfDither {
 public:
  explicit TpdfDither(std::uint64_t seed) : state_(seed) {}

  /// Next dither value in LSB, triangular on (-1, 1): mean 0, variance 1/6.
  double nextLsb() {
    // One 64-bit draw gives both uniform values, 32 bits each: SplitMix64 over a counter.
    const std::uint64_t bits = dsp::mixSeed(state_);
    state_ += 0x9e3779b97f4a7c15ULL;
    constexpr double kTwoToMinus32 = 1.0 / 4294967296.0;
    const double a = static_cast<double>(bits >> 32) * kTwoToMinus32;
    const double b = static_cast<double>(bits & 0xffffffffu) * kTwoToMinus32;
    return a - b;
  }

 private:
  std::uint64_t state_;
};

}  // namespace reverie::io
