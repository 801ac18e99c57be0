// Synthetic signals whose pitch, decay, beating and onsets are known exactly: the answers the
// audio measurements are checked against.
#pragma once

#include <cstdint>
#include <vector>

namespace reverie::test {

/// amplitude * sin(2 pi f t + phase), computed in double and stored as float.
std::vector<float> sine(double frequencyHz, double seconds, double sampleRate,
                        double amplitude = 1.0, double phaseRadians = 0.0);

/// A sine whose amplitude falls by 60 dB every `t60Seconds`: amplitude * 10^(-3 t / T60).
std::vector<float> decayingSine(double frequencyHz, double seconds, double sampleRate,
                                double t60Seconds, double amplitude = 1.0);

/// Uniform white noise with the given RMS, reproducible from `seed`.
std::vector<float> whiteNoise(double seconds, double sampleRate, double rms, std::uint32_t seed);

/// The sample-wise sum of two signals; the shorter is treated as continuing in silence.
std::vector<float> mix(const std::vector<float>& a, const std::vector<float>& b);

/// Every sample multiplied by 10^(-3 t / T60): imposes an exponential decay.
void applyDecay(std::vector<float>& signal, double sampleRate, double t60Seconds);

}  // namespace reverie::test
