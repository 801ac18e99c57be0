// The overall shape of a spectrum: brightness (centroid) and noisiness (flatness), from
// short-time spectra so that a minute of audio costs a few thousand small FFTs.
#pragma once

#include <span>

namespace reverie::test {

/// Brightness: the magnitude-weighted mean frequency sum(f |X|) / sum(|X|) of each ~43 ms Hann
/// frame (hop 1/4 frame), averaged over frames weighted by each frame's energy sum(|X|^2), so
/// quiet frames and silence count little. A sine reads its frequency; white noise sr/4. 0 for
/// silence.
double spectralCentroidHz(std::span<const float> signal, double sampleRate);

/// Wiener entropy: exp(mean ln P) / mean P of the power spectrum P of each ~43 ms Hann frame
/// (hop 1/2 frame), over bins from 50 Hz to 0.45 sr, averaged over frames within 60 dB of the
/// loudest. White noise reads e^-gamma = 0.56 (the mean log of an exponentially distributed
/// power is its log-mean minus Euler's gamma); a sine reads nearly 0. 0 for silence.
double spectralFlatness(std::span<const float> signal, double sampleRate);

}  // namespace reverie::test
