// Short-time Fourier analysis: the magnitude spectra of overlapping frames, one at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <span>

#include "support/fft.hpp"

namespace reverie::test {

struct StftSettings {
  std::size_t frameSize = 2048;  ///< Samples per frame and FFT size; a power of two.
  std::size_t hop = 512;         ///< Samples between frame starts.
  Window window = Window::kHann;
  /// Start the first frame this many samples before the signal (zeros there), so that
  /// an onset at sample 0 is seen arriving; the last frame still ends inside the signal.
  std::size_t leadIn = 0;
};

/// The power of two nearest `seconds` at `sampleRate`: frame sizes that mean the same
/// duration at 44.1, 48 or 96 kHz.
std::size_t framesForSeconds(double seconds, double sampleRate);

/// Calls `visit(startSample, magnitudes)` for each frame. Magnitudes hold bins 0..N/2 scaled so
/// a bin-centred sine of amplitude A reads A; `startSample` may be negative inside the lead-in.
/// A signal shorter than a frame gives one zero-padded frame.
void forEachFrame(std::span<const float> signal, const StftSettings& settings,
                  const std::function<void(long startSample, std::span<const double>)>& visit);

}  // namespace reverie::test
