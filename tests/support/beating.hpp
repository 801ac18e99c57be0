// The rate at which a sound's loudness beats: detuned unisons, chorus, tremolo.
#pragma once

#include <span>

namespace reverie::test {

struct Beating {
  double rateHz;  ///< NaN when nothing in range modulates the power by at least 1%.
  double depth;   ///< Modulation depth of the power: 2ab / (a^2 + b^2) for sines a, b.
};

/// The strongest periodicity of the power envelope between minHz and maxHz.
///
/// The envelope is |x + i H{x}|^2, the squared magnitude of the analytic signal (Hilbert
/// transform by FFT): two sines a cos(w1 t) + b cos(w2 t) give exactly a^2 + b^2 +
/// 2ab cos((w1 - w2) t), with no ripple at the carrier. It is decimated to about 1 kHz, an
/// exponential decay divided out (a line through the log of the envelope smoothed over
/// 1/minHz), and the rate read from the Hann-windowed spectrum of the remaining modulation by
/// a log-parabola through the peak bin. Only the first 2^19 samples (10.9 s at 48 kHz) count.
/// It needs a few periods of the slowest rate within 60 dB of decay: 1 Hz reads within 0.1%
/// from 4 s of sound (2% from 2 s), 3 and 6 Hz within 0.1% from 2 s. Keep the expected rate
/// well inside [minHz, maxHz]: a peak on the edge is not a local maximum.
Beating measureBeating(std::span<const float> signal, double sampleRate, double minHz,
                       double maxHz);

/// measureBeating(...).rateHz: the beat rate in Hz, or NaN if there is no beating.
double beatRateHz(std::span<const float> signal, double sampleRate, double minHz, double maxHz);

}  // namespace reverie::test
