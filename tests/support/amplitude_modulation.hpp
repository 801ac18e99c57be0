// How a sound's loudness is modulated: the rate and depth of its strongest periodic swell
// (tremolo, beating, bowed reiteration), read from its RMS envelope.
#pragma once

#include <span>

namespace reverie::test {

struct AmplitudeModulation {
  double rateHz = 0.0;  ///< frequency of the strongest envelope component in the band
  /// Its modulation index: the envelope's sinusoid at rateHz, peak amplitude over the mean
  /// envelope. A steady tone reads near 0; (1 + m sin) reads m.
  double depth = 0.0;
};

/// The RMS envelope in 5 ms windows every 2.5 ms (so up to 200 Hz of modulation), its mean
/// removed and Hann-windowed, scanned by a direct DFT from lowHz to highHz in 0.01 Hz steps;
/// the strongest component is refined by a parabola through its neighbours. Give it at least
/// a few periods of the slowest rate sought. Zero depth for silence.
AmplitudeModulation strongestAmplitudeModulation(std::span<const float> signal, double sampleRate,
                                                 double lowHz, double highHz);

}  // namespace reverie::test
