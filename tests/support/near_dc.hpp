// The strongest content below a few hertz: an offset or a slow drift nobody hears but every
// loudspeaker cone and limiter does.
#pragma once

#include <span>

namespace reverie::test {

/// The loudest spectral line below `belowHz` in any 2.7 s frame (2^17 samples at 48 kHz;
/// Blackman-Harris, hop half a frame, so a 40 Hz drum leaks nothing below 10 Hz), in dBFS as
/// the amplitude of a sine (an offset c reads 20 log10 |c|). -200 for silence.
double nearDcPeakDbfs(std::span<const float> signal, double sampleRate, double belowHz = 10.0);

}  // namespace reverie::test
