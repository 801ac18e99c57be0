// Whether a noisy sound hides a steady tone: the averaged spectrum and its most prominent bin.
#pragma once

#include <span>
#include <vector>

namespace reverie::test {

/// Welch's method (IEEE Trans. Audio Electroacoust. 15(2), 1967): the power spectra of Hann
/// frames of about `frameSeconds` (a power of two), half overlapping, averaged; in dB re a
/// sine of amplitude 1 centred on a bin. Averaging K frames steadies each bin of a noise to
/// about 4.3 / sqrt(K) dB, while a steady tone keeps its whole power in one or two bins.
struct AveragedSpectrum {
  std::vector<double> levelDb;
  double binHz = 0.0;
};
AveragedSpectrum averagedSpectrum(std::span<const float> signal, double sampleRate,
                                  double frameSeconds = 0.17);

/// The bin in [lowHz, highHz] that stands highest above the median of the bins within
/// +-`neighbourhoodOctaves` of it: how far (dB) and where (Hz).
struct Prominence {
  double excessDb = 0.0;
  double frequencyHz = 0.0;
};
Prominence largestProminence(const AveragedSpectrum& spectrum, double lowHz, double highHz,
                             double neighbourhoodOctaves = 1.0 / 6.0);

}  // namespace reverie::test
