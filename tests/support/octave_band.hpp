// One octave band of a signal, for measuring decay and level band by band.
#pragma once

#include <span>
#include <vector>

namespace reverie::test {

/// `signal` through a one-octave band-pass centred on `centreHz`: two cascaded second-order
/// band-pass sections (RBJ Audio EQ Cookbook, constant 0 dB peak gain) with Q = sqrt(2), the
/// Q of a one-octave bandwidth; computed in double. Their ringing lasts a few periods of the
/// centre frequency, far shorter than any reverberation time measured with it.
std::vector<float> octaveBand(std::span<const float> signal, double sampleRate, double centreHz);

}  // namespace reverie::test
