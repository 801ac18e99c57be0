// Facts read straight off the samples: level, extremes, finiteness; and one channel taken out
// of interleaved audio.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace reverie::test {

/// Channel `which` (0-based) of interleaved audio with `channels` channels.
std::vector<float> channel(const std::vector<float>& interleaved, int channels, int which);

/// True when no sample is NaN or infinite.
bool allFinite(std::span<const float> signal);

/// max |x[n]|; 0 for an empty signal.
float peakAbs(std::span<const float> signal);

/// max |x[n] - x[n-1]|: a click or discontinuity shows as a step far above the signal's slope
/// (a sine of amplitude A at f never steps more than 2 pi f A / sampleRate).
double largestStep(std::span<const float> signal);

/// RMS level of samples [begin, end) in dB re 1 (a full-scale sine reads -3.01 dB);
/// -infinity for silence or an empty range. `end` is clamped to the signal.
double rmsDb(std::span<const float> signal, std::size_t begin, std::size_t end);

/// Linear RMS of windows of `windowSeconds`, one every `hopSeconds`, the first starting at
/// sample 0 and the last ending inside the signal (one window over all of a shorter signal).
/// Window j starts at j * hop samples.
std::vector<double> rmsEnvelope(std::span<const float> signal, double sampleRate,
                                double windowSeconds, double hopSeconds);

}  // namespace reverie::test
