// Note onsets found by spectral flux: where many bins grow louder at once.
#pragma once

#include <span>
#include <vector>

namespace reverie::test {

struct OnsetOptions {
  /// 512 samples at 48 kHz (rounded to a power of two); the hop is a quarter frame. Sharp
  /// enough for attacks 15 ms apart; for dense sustained polyphony, where partials of
  /// different notes share bins, 0.043 s with thresholdOverMedian 1.0 resolves more notes.
  double frameSeconds = 0.0107;
  double minGapSeconds = 0.012;  ///< Onsets closer than this merge into the stronger.
  /// An onset's detection value must exceed the local median by this much; the value is
  /// ln(1 + flux), so 1.25 asks for a flux about 3.5 times (median flux + 1).
  double thresholdOverMedian = 1.25;
  double medianSeconds = 0.1;  ///< Half-length of the moving median.
};

/// Onset times in seconds, ascending: peaks of a spectral-flux detection function (Bello et
/// al., "A tutorial on onset detection in music signals", IEEE TSAP 2005): the half-wave
/// rectified rise of ln(1 + 1000 |X| / peak) over bins, against the +-1-bin maximum of frames
/// 2 to 4 hops earlier (SuperFlux, Boeck & Widmer, DAFx 2013), then ln(1 + flux) so that a
/// sine's few bins and a noise burst's many meet one threshold. Normalising by the peak sample
/// makes the result independent of gain. Peaks must be the largest within +-2 hops, stand
/// `thresholdOverMedian` above the moving median and lie `minGapSeconds` apart. Times fall
/// within about 5 ms of a sharp attack. A steady tone gives one onset at its start.
std::vector<double> onsetTimes(std::span<const float> signal, double sampleRate,
                               const OnsetOptions& options = {});

}  // namespace reverie::test
